"""Webhook URLs of the routing app: answer_url and the IVR / on-fail / ring-group callbacks SCCOs
point to."""

from django.urls import path

from routing import webhooks as views

urlpatterns = [
    path(
        "answer_url/<int:stringee_project_id>/<str:token>/",
        views.answer_url,
        name="routing-answer-url",
    ),
    path("ivr/<int:stringee_project_id>/<str:token>/<int:menu_id>/", views.ivr, name="routing-ivr"),
    path(
        "on_fail/<int:stringee_project_id>/<str:token>/<int:rule_id>/",
        views.on_fail,
        name="routing-on-fail",
    ),
    path(
        "ring/<int:stringee_project_id>/<str:token>/<int:group_id>/",
        views.ring,
        name="routing-ring",
    ),
]
