"""Simulate a call: what the answer_url would do with it now (or at a given time), moving nothing.

Shared by the admin page and `POST /api/v1/simulate/`; the explanation comes from
routing.engine.explain with a read-only call state (no pointer moves, nothing logged).
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.models import Project
from routing.cache import routing_table
from routing.engine.explain import Explanation, explain
from routing.engine.types import Call
from routing.links import WebhookLinks
from routing.state import PeekState

DIRECTION_CHOICES = [
    ("phone", _("A call from a phone")),
    ("app", _("A call from an app user")),
]


def parse_time(text: str, error: type[Exception]) -> datetime | None:
    """An ISO date and time (naive = the project's local time), or None when blank."""
    if not (text or "").strip():
        return None
    try:
        parsed = parse_datetime(text.strip())
    except ValueError:
        parsed = None
    if parsed is None:
        raise error(gettext("Enter a date and time such as 2026-11-23 08:00."))
    return parsed


def simulate_call(
    project: Project, from_: str, to: str, direction: str, at: datetime | None
) -> Explanation:
    """Explain the call as the answer_url would route it now (or at `at`), moving nothing."""
    if at is not None and timezone.is_naive(at):
        at = at.replace(
            tzinfo=ZoneInfo(project.time_zone)
        )  # a naive time is the project's local time
    app = direction == "app"
    call = Call(
        from_.strip(), to.strip(), app, at or timezone.now(), user_id=from_.strip() if app else ""
    )
    return explain(routing_table(project), call, WebhookLinks(project), PeekState())
