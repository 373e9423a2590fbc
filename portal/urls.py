"""Root URLs: admin, webhooks (answer_url / event_url), management API and its docs."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

handler404 = "portal.errors.page_not_found"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("routing.urls")),
    path("", include("calls.urls")),
    path("api/v1/", include("portal.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
]
