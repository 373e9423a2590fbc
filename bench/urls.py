"""The portal's URLs plus the bench-only baseline view, shaped like the answer_url."""

from django.urls import path

from bench.views import baseline
from portal.urls import urlpatterns as portal_urlpatterns

urlpatterns = [
    path("bench/baseline/<int:project_id>/<str:token>/", baseline, name="bench-baseline"),
    *portal_urlpatterns,
]
