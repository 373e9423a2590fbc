"""The URLs of a server that answers call setup only (PORTAL_POOL=call_setup): the answer_url,
the IVR, on-fail and ring-group callbacks, and the health checks. Everything else is 404, so the
workers of this pool never wait on events, the API or the admin (docs/deploy.md)."""

from django.urls import include, path

from portal.ops import health
from portal.ops.metrics import metrics_view

handler404 = "portal.errors.page_not_found"

urlpatterns = [
    path("", include("routing.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
]
