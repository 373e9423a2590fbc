"""App config of calls: event_url ingestion, call records, recordings and the call-log reconcile."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallsConfig(AppConfig):
    name = "calls"
    verbose_name = _("Calls")

    def ready(self) -> None:
        from calls.dashboard import dashboard_page
        from calls.tasks import call_logs_if_due
        from portal.admin.site import show_dashboard
        from portal.models.export import exportable
        from portal.stringee.tasks import run_when_due

        show_dashboard(dashboard_page)  # the admin's index page
        exportable("calls.callrecord", title=_("Call records"), file_stem="callrecords")
        exportable("calls.callevent", title=_("Call events"), file_stem="callevents")
        run_when_due(call_logs_if_due)  # the worker reads Stringee's call log (calls.reconcile)
