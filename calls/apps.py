"""App config of calls: event_url ingestion, call records, recordings and the call-log reconcile."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallsConfig(AppConfig):
    name = "calls"
    verbose_name = _("Calls")

    def ready(self) -> None:
        from calls.admin import call_pages
        from calls.copies import recording_copies_due
        from calls.dashboard import dashboard_page
        from calls.replay import recent_calls
        from calls.tasks import call_logs_if_due
        from portal.admin.callouts import link_calls_with
        from portal.admin.site import show_dashboard
        from portal.models.export import exportable
        from portal.worker_rounds import every_round
        from routing.what_if import replay_calls_from

        show_dashboard(dashboard_page)  # the admin's index page
        link_calls_with(call_pages)  # the outbound calls list links each call to its record
        replay_calls_from(recent_calls)  # "What changes?" on the routing pages
        exportable("calls.callrecord", title=_("Call records"), file_stem="callrecords")
        exportable("calls.callevent", title=_("Call events"), file_stem="callevents")
        every_round("call logs", call_logs_if_due)  # Stringee's call log read (calls.reconcile)
        every_round("recording copies", recording_copies_due)
