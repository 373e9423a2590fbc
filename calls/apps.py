"""App config of calls: event_url ingestion, call records and recordings."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallsConfig(AppConfig):
    name = "calls"
    verbose_name = _("Calls")

    def ready(self) -> None:
        from calls.copies import recording_copies_due
        from calls.dashboard import dashboard_page
        from portal.admin.site import show_dashboard
        from portal.models.export import exportable
        from portal.worker_rounds import every_round

        show_dashboard(dashboard_page)  # the admin's index page
        exportable("calls.callrecord", title=_("Call records"), file_stem="callrecords")
        exportable("calls.callevent", title=_("Call events"), file_stem="callevents")
        every_round("recording copies", recording_copies_due)
