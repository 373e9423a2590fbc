"""Routes of the tenancy API under /api/v1/: numbers, app users, access tokens, projects,
outbound calls.

The API root lists them; the routing and calls apps add their own routes beside these
(portal.urls includes each app's `api.urls`), so this app never imports its dependents.
"""

from rest_framework.routers import DefaultRouter

from portal.api import callouts, views

app_name = "portal-api"

router = DefaultRouter()
router.register("numbers", views.NumberViewSet, basename="number")
router.register("users", views.AppUserViewSet, basename="appuser")
router.register("access-tokens", views.AccessTokenViewSet, basename="access-token")
router.register("projects", views.ProjectViewSet, basename="project")
router.register("callouts", callouts.CalloutViewSet, basename="callout")

urlpatterns = router.urls
