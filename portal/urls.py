"""Root URLs: admin, the language switcher (`i18n/setlang/`), webhooks (answer_url /
event_url), management API and its docs (Swagger UI, ReDoc)."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from portal import health
from portal.metrics import metrics_view

handler404 = "portal.errors.page_not_found"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("routing.urls")),
    path("", include("calls.urls")),
    path("api/v1/", include("portal.api.urls")),
    path("api/v1/", include("routing.api.urls")),
    path("api/v1/", include("calls.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
]
