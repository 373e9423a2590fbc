"""Routes of the calls API under /api/v1/ (included by portal.urls)."""

from rest_framework.routers import SimpleRouter

from calls.api import views

app_name = "calls-api"

router = SimpleRouter()
router.register("calls", views.CallRecordViewSet, basename="call")
router.register("events", views.CallEventViewSet, basename="event")
router.register("recordings", views.RecordingViewSet, basename="recording")

urlpatterns = router.urls
