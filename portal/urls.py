"""Root URLs: admin, the language switcher (`i18n/setlang/`), webhooks (answer_url /
event_url), management API and its docs (Swagger UI, ReDoc)."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from portal.ops import health
from portal.ops.metrics import metrics_view

handler404 = "portal.errors.page_not_found"

# The invitation's pages carry the portal's name, as every admin page does.
PORTAL_LOOK = {"site_header": admin.site.site_header, "site_title": admin.site.site_title}

urlpatterns = [
    # Stringee's webhooks first: the hot path resolves on its first patterns.
    path("", include("routing.urls")),
    path("", include("calls.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
    # The link of a staff invitation (portal.services.member_invite): Django's password-reset
    # views, in the admin's look, for choosing the first password of an invited account.
    path(
        "admin/welcome/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            title=_("Choose your password"),
            success_url=reverse_lazy("staff_password_set"),
            extra_context=PORTAL_LOOK,
        ),
        name="staff_set_password",
    ),
    path(
        "admin/welcome/done/",
        auth_views.PasswordResetCompleteView.as_view(
            title=_("Your password is set"), extra_context=PORTAL_LOOK
        ),
        name="staff_password_set",
    ),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("portal.api.urls")),
    path("api/v1/", include("routing.api.urls")),
    path("api/v1/", include("calls.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
]
