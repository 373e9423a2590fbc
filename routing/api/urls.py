"""Routes of the routing API under /api/v1/ (included by portal.urls)."""

from rest_framework.routers import SimpleRouter

from routing.api import views

app_name = "routing-api"

router = SimpleRouter()
router.register("rules", views.RoutingRuleViewSet, basename="routing-rule")
router.register("ivr-menus", views.IvrMenuViewSet, basename="ivr-menu")
router.register("ring-groups", views.RingGroupViewSet, basename="ring-group")
router.register("conference-rooms", views.ConferenceRoomViewSet, basename="conference-room")
router.register("masking-sessions", views.MaskingSessionViewSet, basename="masking-session")
router.register("simulate", views.SimulateViewSet, basename="simulate")

urlpatterns = router.urls
