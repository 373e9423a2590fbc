"""Simulate a call: what the answer_url would do with it now (or at a given time), moving nothing.

Shared by the admin page and `POST /api/v1/simulate/`; the explanation comes from
routing.engine.explain with a read-only call state (no pointer moves, nothing logged).
"""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.models import Project
from routing.cache import routing_table
from routing.engine.decide import Decision, ivr_step
from routing.engine.explain import Explanation, explain
from routing.engine.types import Call, Context
from routing.flow import destination_words
from routing.kinds import DestinationKind
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


def _call(project: Project, from_: str, to: str, direction: str, at: datetime | None) -> Call:
    if at is not None and timezone.is_naive(at):
        at = at.replace(
            tzinfo=ZoneInfo(project.time_zone)
        )  # a naive time is the project's local time
    app = direction == "app"
    return Call(
        from_.strip(), to.strip(), app, at or timezone.now(), user_id=from_.strip() if app else ""
    )


def simulate_call(
    project: Project, from_: str, to: str, direction: str, at: datetime | None
) -> Explanation:
    """Explain the call as the answer_url would route it now (or at `at`), moving nothing."""
    call = _call(project, from_, to, direction, at)
    return explain(routing_table(project), call, WebhookLinks(project), PeekState())


@dataclass(frozen=True)
class KeyPressed:
    """What the caller gets after pressing a key in the menu the call reached."""

    menu: str  # the menu's name
    key: str
    where: str  # where the key leads, in words ("Ring group Sales")
    decision: Decision


def simulate_key(
    project: Project,
    explanation: Explanation,
    key: str,
    *,
    from_: str,
    to: str,
    direction: str,
    at: datetime | None,
) -> KeyPressed | None:
    """The IVR step after `key`, when the simulated call reached a menu (None otherwise)."""
    table = routing_table(project)
    rule = next((r for r in table.rules if r["id"] == explanation.decision.rule_id), None)
    if not key or rule is None or rule["destination"]["kind"] != DestinationKind.MENU:
        return None
    menu = table.menus.get(str(rule["destination"]["menu"]))
    if menu is None:
        return None
    call = _call(project, from_, to, direction, at)
    ctx = Context(call, table, WebhookLinks(project), state=PeekState())
    decision = ivr_step(ctx, menu["id"], key, attempt=1)
    option = menu["options"].get(key)
    where = destination_words(option, table) if option else gettext("not a key of this menu")
    return KeyPressed(menu["name"], key, where, decision)
