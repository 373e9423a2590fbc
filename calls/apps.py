"""App config of calls: event_url ingestion, call records and recordings."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallsConfig(AppConfig):
    name = "calls"
    verbose_name = _("Calls")

    def ready(self) -> None:
        from calls.dashboard import dashboard_page
        from calls.replay import recent_calls
        from portal.admin.site import show_dashboard
        from portal.models.export import exportable
        from routing.what_if import replay_calls_from

        show_dashboard(dashboard_page)  # the admin's index page
        replay_calls_from(recent_calls)  # "What changes?" on the routing pages
        exportable("calls.callrecord", title=_("Call records"), file_stem="callrecords")
        exportable("calls.callevent", title=_("Call events"), file_stem="callevents")
