"""Webhook URLs of the calls app: the event_url and the recording callback."""

from django.urls import path

from calls import webhooks as views

urlpatterns = [
    path("event_url/<int:stringee_project_id>/<str:token>/", views.event_url, name="event-url"),
    path(
        "recording_event/<int:stringee_project_id>/<str:token>/",
        views.recording_event,
        name="recording-event",
    ),
]
