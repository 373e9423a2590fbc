"""The admin site: Django's, whose index page is the tenant dashboard and "View site" leads there.

It lives in the calls app, the top of the house: it shows every app's pages and the calls' figures.

Pages that are not scoped to a tenant (Django's users and groups, login lockouts, the task queue,
DRF tokens, and whatever a library registers next) are for superusers alone, whatever Django
permissions a staff account is given: a tenant owner holding "can change user" would otherwise
edit any account, superusers' included.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _


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


class PortalAdminSite(admin.AdminSite):
    site_header = _("Stringee call-routing portal")
    site_title = _("Call-routing portal")
    index_title = _("Dashboard")
    site_url = "/admin/"
    index_template = "admin/dashboard.html"

    def register(self, model_or_iterable, admin_class=None, **options) -> None:
        """Register as Django does; an admin not scoped to tenants becomes superusers-only."""
        admin_class = admin_class or admin.ModelAdmin
        if not getattr(admin_class, "tenant_scoped", False) and not issubclass(
            admin_class, SuperusersOnly
        ):
            admin_class = type(admin_class.__name__, (SuperusersOnly, admin_class), {})
        super().register(model_or_iterable, admin_class, **options)

    def index(self, request: HttpRequest, extra_context: dict | None = None) -> TemplateResponse:
        """The dashboard of the chosen project (superusers: any, or all), then the app list."""
        # Imported here, not at the top: this module is loaded (by INSTALLED_APPS) before models
        # are.
        from calls.dashboard import PERIODS, chosen_project, dashboard_figures, dashboard_projects

        projects = dashboard_projects(request.user)
        project = chosen_project(request.user, request.GET.get("project"), projects)
        try:
            days = int(request.GET.get("days", ""))
        except ValueError:
            days = 0
        figures = dashboard_figures(user=request.user, project=project, period_days=days)
        context = {
            "figures": figures,
            "charts": figures.charts(),
            "projects": projects,
            "periods": PERIODS,
            **(extra_context or {}),
        }
        return super().index(request, context)


class PortalAdminConfig(AdminConfig):
    """Django's admin app, whose default site is the one above (listed in INSTALLED_APPS)."""

    default_site = "calls.sites.PortalAdminSite"
