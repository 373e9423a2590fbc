"""App config of the tenancy domain: wires model changes to routing-cache invalidation and to
the audit log."""

from importlib import import_module

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


def _routing_input_changed(sender, instance, **kwargs) -> None:
    if getattr(sender, "invalidates_routing", False):
        from portal.tenancy.paths import tenant_project_id
        from portal.tenancy.policy import notify_changed

        notify_changed(tenant_project_id(instance))


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Tenancy")

    def ready(self) -> None:
        post_save.connect(_routing_input_changed, dispatch_uid="portal.routing_input_saved")
        post_delete.connect(_routing_input_changed, dispatch_uid="portal.routing_input_deleted")
        from portal.audit import register_watched_models

        register_watched_models()
        from portal.admin import PAGES

        for page in PAGES:  # registers each page (see portal.admin)
            import_module(f"portal.admin.{page}")
        # The OpenAPI description of the API's token schemes (drf-spectacular finds it by the
        # authentication class path once the module is loaded).
        import_module("portal.api.schema")


class PortalAdminConfig(admin_apps.AdminConfig):
    """Django's admin app, whose default site is the portal's (portal.admin.site; listed in
    INSTALLED_APPS by this path)."""

    default = False  # the portal app's own config is PortalConfig
    default_site = "portal.admin.site.PortalAdminSite"
