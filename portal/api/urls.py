"""Management API routes under /api/v1/: each app registers its viewsets on one router."""

from rest_framework.routers import DefaultRouter

from calls.api import register as register_calls
from portal.api.views import register as register_portal
from routing.api import register as register_routing

router = DefaultRouter()
for register in (register_portal, register_routing, register_calls):
    register(router)

urlpatterns = router.urls
