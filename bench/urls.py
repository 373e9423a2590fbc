"""The portal's URLs plus the bench-only views: the baselines (Django and DRF), the floors and the
hand-written peer (bench.floors), shaped like the webhooks' URLs."""

from django.urls import path

from bench.floors import floor_answer, floor_event, peer_answer
from bench.views import baseline, baseline_drf
from portal.urls import urlpatterns as portal_urlpatterns

urlpatterns = [
    path("bench/baseline/<int:project_id>/<str:token>/", baseline, name="bench-baseline"),
    path(
        "bench/baseline-drf/<int:project_id>/<str:token>/", baseline_drf, name="bench-baseline-drf"
    ),
    path(
        "bench/floor-answer/<int:project_id>/<str:token>/", floor_answer, name="bench-floor-answer"
    ),
    path("bench/floor-event/<int:project_id>/<str:token>/", floor_event, name="bench-floor-event"),
    path("bench/peer-answer/<int:project_id>/<str:token>/", peer_answer, name="bench-peer-answer"),
    *portal_urlpatterns,
]
