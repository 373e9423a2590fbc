"""App config of the tenancy domain: what it brings to the change history, the admin's
autocompletes, exports and pages; and the admin app whose site is the portal's."""

from importlib import import_module

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _

EXPORT_PROGRESS = [
    "params",
    "selected",
    "language",
    "status",
    "attempts",
    "started_at",
    "heartbeat_at",
    "finished_at",
    "row_count",
    "rows_written",
    "size",
    "file",
    "task_id",
    "error",
]


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Tenancy")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from portal import audit
        from portal.services.sessions import session_signed_in

        user_logged_in.connect(session_signed_in, dispatch_uid="portal.session_signed_in")
        from portal.models import Project
        from portal.models.export import exportable
        from portal.models.numbers import STRINGEE_BOOKKEEPING

        audit.watch(
            "portal.project",
            exclude=["created_at", "updated_at"],
            mask=[*Project.write_only_fields, "webhook_token", "previous_webhook_token"],
        )
        # What Stringee says of a number, and the sending's progress, are not changes staff make.
        audit.watch("portal.virtualnumber", exclude=STRINGEE_BOOKKEEPING)
        audit.watch("portal.appuser", exclude=["created_at"])
        audit.watch("portal.membership")  # roles: who may do what in which project
        # Staff accounts: only who they are and what they may do (superuser, staff, active).
        audit.watch(
            "auth.user",
            exclude=["password", "last_login", "date_joined", "first_name", "last_name", "email"],
        )
        audit.watch("portal.alloweddestination")  # where calls may go
        # Who asked for which outbound call (how the worker placed it is not a change).
        audit.watch(
            "portal.callout",
            exclude=["state", "attempts", "sending_since", "call_id", "error", "finished_at"],
        )
        audit.watch("portal.apikey", exclude=["key_hash", "last_used_at", "created_at"])
        # Not configuration, but who asked for which rows of which list is worth keeping
        # (downloads are recorded too, as "Downloaded"); the worker's progress and the file are
        # left out.
        audit.watch("portal.export", exclude=EXPORT_PROGRESS)
        exportable("portal.auditentry", title=_("Change history"), file_stem="change-history")
        from portal.tenancy.admin import search_in_forms

        search_in_forms("portal.virtualnumber", "portal.appuser")
        from portal.admin import PAGES

        for page in PAGES:  # registers each page (see portal.admin)
            import_module(f"portal.admin.{page}")
        # The OpenAPI description of the API's token schemes (drf-spectacular finds it by the
        # authentication class path once the module is loaded).
        import_module("portal.api.schema")
        import_module("portal.tenancy.api")  # its check: every API view keeps tenants apart


class PortalAdminConfig(admin_apps.AdminConfig):
    """Django's admin app, whose default site is the portal's (portal.admin.site; listed in
    INSTALLED_APPS by this path)."""

    default = False  # the portal app's own config is PortalConfig
    default_site = "portal.admin.site.PortalAdminSite"
