"""The portal's URLs plus the bench-only baseline views (Django and DRF), shaped like the
answer_url."""

from django.urls import path

from bench.views import baseline, baseline_drf
from portal.urls import urlpatterns as portal_urlpatterns

urlpatterns = [
    path("bench/baseline/<int:project_id>/<str:token>/", baseline, name="bench-baseline"),
    path(
        "bench/baseline-drf/<int:project_id>/<str:token>/", baseline_drf, name="bench-baseline-drf"
    ),
    *portal_urlpatterns,
]
