"""The webhook URLs the portal puts into SCCOs, and reading a call back from a request's parameters.

IVR and on-fail callbacks carry the call's `from`, `to` and `fromInternal` in their query
string, so the reply can be routed without state; the answer_url gets them from Stringee.
"""

from collections.abc import Mapping
from datetime import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from portal.models import Project
from portal.models.projects import call_setup_base_url
from routing.engine.types import Call


def call_from_params(params: Mapping[str, str], at: datetime) -> Call:
    """A `Call` from Stringee's answer_url query parameters (or the ones our callbacks carry)."""
    return Call(
        from_raw=str(params.get("from", "")).strip(),
        to_raw=str(params.get("to", "")).strip(),
        from_internal=str(params.get("fromInternal", "")).lower() == "true",
        at=at,
        user_id=str(params.get("userId", "")),
        project_id=str(params.get("projectId", "")),
        custom=str(params.get("custom", "")),
        call_id=str(params.get("callId") or params.get("uuid") or ""),
    )


class WebhookLinks:
    """Absolute URLs of one project's callbacks: call setup's (IVR, on-fail, ring group) on
    call_setup_base_url(), the recording callback on settings.PUBLIC_BASE_URL."""

    def __init__(self, project: Project):
        self.args = (project.stringee_project_id, project.webhook_token)

    def _absolute(self, name: str, *args, base: str | None = None) -> str:
        # The whole portal's URLs, also on a server that answers call setup only.
        path = reverse(name, args=(*self.args, *args), urlconf="portal.urls")
        return (base or call_setup_base_url()) + path

    def ivr(self, menu_id: int, call: Call, attempt: int) -> str:
        return f"{self._absolute('routing-ivr', menu_id)}?{call.query(attempt=attempt)}"

    def on_fail(self, rule_id: int, call: Call) -> str:
        return f"{self._absolute('routing-on-fail', rule_id)}?{call.query()}"

    def ring(self, group_id: int, call: Call, tried: int, start: int) -> str:
        return f"{self._absolute('routing-ring', group_id)}?{call.query(next=tried, start=start)}"

    def recording(self, call: Call) -> str:
        """The calls app's recording callback; the call id rides along to link the recording."""
        url = self._absolute("recording-event", base=settings.PUBLIC_BASE_URL)
        return f"{url}?{urlencode({'callId': call.call_id})}" if call.call_id else url
