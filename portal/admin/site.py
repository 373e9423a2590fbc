"""The admin site: Django's, whose index page is the tenant dashboard and "View site" leads there.

The dashboard's figures are the calls app's: it gives the site the function that reads them
(`PortalAdminSite.dashboard`, set from calls.apps), so the site names no app above it.

Pages that are not scoped to a tenant (Django's users and groups, login lockouts, the task queue,
DRF tokens, and whatever a library registers next) are for superusers alone, whatever Django
permissions a staff account is given: a tenant owner holding "can change user" would otherwise
edit any account, superusers' included.

A session that owes its second factor (portal.second_factor) opens no page of the site but the
two-factor pages (portal.admin.second_factor): the middleware sends it there, and the site's
own permission check refuses it too, should a page ever be reached another way.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils.translation import gettext_lazy as _

from portal.second_factor import step_owed


class SuperusersOnly:
    """A ModelAdmin that only active superusers see and use."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.has_module_permission(request)


# The staff member's own page: change the password, sign out everywhere.
ACCOUNT_PAGE = "admin/portal/password_change.html"


class PortalAdminSite(admin.AdminSite):
    site_header = _("Stringee call-routing portal")
    site_title = _("Call-routing portal")
    index_title = _("Dashboard")
    site_url = "/admin/"
    index_template = "admin/dashboard.html"
    # Django's page, with a "Sign out everywhere" button below the form.
    password_change_template = ACCOUNT_PAGE

    def get_urls(self) -> list[URLResolver | URLPattern]:
        """Django's admin pages, with the staff member's own: two-factor sign-in and "sign out
        everywhere"."""
        from portal.admin.second_factor import SecondFactorPages
        from portal.admin.sessions import sign_out_everywhere

        return [
            *SecondFactorPages(self).urls,
            path(
                "sign-out-everywhere/",
                self.admin_view(sign_out_everywhere),
                name="sign_out_everywhere",
            ),
            *super().get_urls(),
        ]

    def register(self, model_or_iterable, admin_class=None, **options) -> None:
        """Register as Django does; an admin not scoped to tenants becomes superusers-only."""
        admin_class = admin_class or admin.ModelAdmin
        if not getattr(admin_class, "tenant_scoped", False) and not issubclass(
            admin_class, SuperusersOnly
        ):
            admin_class = type(admin_class.__name__, (SuperusersOnly, admin_class), {})
        super().register(model_or_iterable, admin_class, **options)

    def has_permission(self, request: HttpRequest) -> bool:
        """Active staff whose session has passed the second factor it owes (signing out is
        open to all active staff: Django's admin would send the others to the index instead)."""
        if not super().has_permission(request):
            return False
        return request.path == reverse("admin:logout") or step_owed(request) is None

    # The index page's figures: a function of the request giving the template's context (set by
    # the calls app when it is ready); without it the index is Django's list of apps.
    dashboard: Callable[[HttpRequest], dict] | None = None

    def index(self, request: HttpRequest, extra_context: dict | None = None) -> TemplateResponse:
        """The dashboard of the chosen project (superusers: any, or all), then the app list."""
        figures = self.dashboard(request) if self.dashboard is not None else {}
        return super().index(request, {**figures, **(extra_context or {})})


def show_dashboard(dashboard: Callable[[HttpRequest], dict]) -> None:
    """Make `dashboard` (the request → the index page's context) the admin index's figures."""
    site = admin.site
    if isinstance(site, PortalAdminSite):
        site.dashboard = dashboard
