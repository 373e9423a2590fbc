"""App config of calls: event_url ingestion, call records and recordings."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallsConfig(AppConfig):
    name = "calls"
    verbose_name = _("Calls")

    def ready(self) -> None:
        from calls.dashboard import dashboard_page
        from portal.admin.site import show_dashboard

        show_dashboard(dashboard_page)  # the admin's index page
