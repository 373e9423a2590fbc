"""What changes? A project's calls of the last days replayed through an edited, unsaved routing
configuration: which of them would now go elsewhere, counted per destination, in words.

The edit is applied to an in-memory copy of the compiled routing table (the snapshot that
routing.snapshot builds, the one the answer_url routes with), never to the database: a rule, a
menu with its keys, a ring group with its members, or the week's opening hours, each as the
form's unsaved values. Every call is routed twice by the engine (before and after) with a state
that moves nothing, and its outcome is said as where its first step sends it
(routing.flow.destination_words). On a menu's or a group's page that menu or group is said with
its keys or members, so an edit inside it shows too; which keys past callers pressed is not
known, so a menu's calls are compared by the menu's layout, not key by key.

The calls come from the calls app (it registers its reader with `replay_calls_from`), so routing
names no model of the app above it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext, ngettext

from portal.models import Project
from portal.phone import phone_display
from routing.engine.calendar import is_open
from routing.engine.decide import matches_schedule, pattern_matches, route
from routing.engine.types import Call, NoState, Table
from routing.flow import destination_words
from routing.kinds import DestinationKind, Hours
from routing.models import IvrMenu, IvrOption, RingGroup, RingGroupMember, RoutingRule
from routing.snapshot import build_snapshot, rule_indexes
from routing.weekdays import days_label

DAYS_BACK = 7
MAX_CALLS = 20_000  # the latest ones, when a project had more in the week
EXAMPLES = 3

CallSource = Callable[[Project, datetime, int], list[Call]]
Edit = Callable[[dict], None]  # changes a snapshot's data in place


def _no_calls(project: Project, since: datetime, limit: int) -> list[Call]:
    return []


_source: list[CallSource] = [_no_calls]


def replay_calls_from(source: CallSource) -> None:
    """Where past calls come from: `source(project, since, limit)` → the project's calls since
    `since`, the latest `limit` at most (set by calls.apps)."""
    _source[0] = source


class NoLinks:
    """Callback URLs are not needed to know where a call goes."""

    def ivr(self, menu_id: int, call: Call, attempt: int) -> str:
        return ""

    def on_fail(self, rule_id: int, call: Call) -> str:
        return ""

    def recording(self, call: Call) -> str:
        return ""

    def ring(self, group_id: int, call: Call, tried: int, start: int) -> str:
        return ""


# --- edits: the form's unsaved values applied to a copy of the snapshot ----------------------


def rule_edit(rule: RoutingRule) -> Edit:
    """The snapshot with `rule` as the form would save it (added, changed, or left out when
    turned off), the rules kept in priority order."""
    priorities = dict(
        RoutingRule.objects.filter(project_id=rule.project_id, enabled=True).values_list(
            "id", "priority"
        )
    )

    def apply(data: dict) -> None:
        rules = [row for row in data["rules"] if rule.pk is None or row["id"] != rule.pk]
        order = {row["id"]: priorities.get(row["id"], 0) for row in rules}
        if rule.enabled:
            rules.append(rule.as_routing_json())
            order[rule.pk] = rule.priority
        rules.sort(key=lambda row: (order[row["id"]], row["id"] or float("inf")))
        data["rules"] = rules
        data.update(rule_indexes(rules, data["numbers"]))

    return apply


def menu_edit(menu: IvrMenu, options: Iterable[dict]) -> Edit:
    """The snapshot with `menu` and its keys (the rows of the form) as they would be saved."""
    keys = [IvrOption(**row) for row in options]

    def apply(data: dict) -> None:
        if menu.pk is not None:  # nothing leads to a menu that is not saved yet
            data["menus"][str(menu.pk)] = menu.as_routing_json(options=keys)

    return apply


def group_edit(group: RingGroup, members: Iterable[dict]) -> Edit:
    """The snapshot with `group` and its members (the rows of the form, in ring order)."""
    rows = [RingGroupMember(**row) for row in members]

    def apply(data: dict) -> None:
        if group.pk is not None:
            data["groups"][str(group.pk)] = group.as_routing_json(set(data["users"]), rows)

    return apply


def week_edit(windows: Iterable[tuple[int, time, time]]) -> Edit:
    """The snapshot with the week's opening windows (weekday, opens, closes) replaced."""
    hours: dict[str, list[list[str]]] = {}
    for weekday, opens, closes in sorted(windows):
        hours.setdefault(str(weekday), []).append([opens.isoformat(), closes.isoformat()])

    def apply(data: dict) -> None:
        data["calendar"] = {**data.get("calendar", {}), "hours": hours}

    return apply


# --- the replay ------------------------------------------------------------------------------


@dataclass
class Move:
    """Calls to one number (or app user) that would go from `before` to `after`."""

    to: str
    before: str
    after: str
    calls: list[Call] = field(default_factory=list)
    time_zone: str = "UTC"

    @property
    def count(self) -> int:
        return len(self.calls)

    def _local(self) -> list[datetime]:
        zone = ZoneInfo(self.time_zone)
        return [call.at.astimezone(zone) for call in self.calls]

    @property
    def when(self) -> str:
        """The days and hours these calls came in, in words ("Mon to Fri, 18:00 to 19:00")."""
        local = self._local()
        days = {moment.isoweekday() for moment in local}
        first = min(moment.hour for moment in local)
        last = max(moment.hour for moment in local) + 1
        day_words = gettext("every day") if len(days) == 7 else days_label(days)
        return f"{day_words} {first:02d}:00–{last:02d}:00"

    @property
    def summary(self) -> str:
        return ngettext(
            "%(count)d call to %(to)s, %(when)s: %(before)s → %(after)s",
            "%(count)d calls to %(to)s, %(when)s: %(before)s → %(after)s",
            self.count,
        ) % {
            "count": self.count,
            "to": self.to,
            "when": self.when,
            "before": self.before,
            "after": self.after,
        }

    @property
    def examples(self) -> list[str]:
        """A few of the calls: who called, and when (the project's local time)."""
        latest = sorted(self.calls, key=lambda call: call.at, reverse=True)[:EXAMPLES]
        zone = ZoneInfo(self.time_zone)
        return [
            gettext("from %(caller)s, %(day)s %(moment)s")
            % {
                "caller": _party(call.from_raw, call.from_internal),
                "day": days_label([call.at.astimezone(zone).isoweekday()]),
                "moment": call.at.astimezone(zone).strftime("%d/%m %H:%M"),
            }
            for call in latest
        ]


@dataclass(frozen=True)
class Replay:
    """The outcome of replaying `replayed` calls since `since`: the moves, largest first."""

    replayed: int
    since: datetime
    moves: list[Move]
    limited: bool = False  # more calls than MAX_CALLS: only the latest were replayed

    @property
    def moved(self) -> int:
        return sum(move.count for move in self.moves)


def _party(raw: str, internal: bool) -> str:
    if internal:
        return gettext("app user %(user)s") % {"user": raw}
    return phone_display("+" + raw.lstrip("+")) if raw.lstrip("+").isdigit() else raw


def _called(call: Call, table: Table) -> str:
    if call.to_number:
        return phone_display(call.to_number)
    if call.to_raw in table.users:
        return gettext("app user %(user)s") % {"user": call.to_raw}
    return call.to_raw


class Outcomes:
    """Where a table sends each call, in words (memoised per rule: thousands of calls share a
    few outcomes). `focus` ("menu" or "group", id) is said with its keys or members."""

    def __init__(self, table: Table, focus: tuple[str, int] | None = None) -> None:
        self.table = table
        self.focus = focus
        self.links = NoLinks()
        self.state = NoState()
        self.by_rule: dict[int | None, str] = {}
        self.rules = {rule["id"]: rule for rule in table.rules}

    def of(self, call: Call) -> str:
        decision = route(self.table, call, self.links, self.state)
        if decision.rule_id is not None or decision.rule_name:
            key = decision.rule_id
            if key not in self.by_rule:
                self.by_rule[key] = self.destination(self.rules[key]["destination"])
            return self.by_rule[key]
        if not decision.matched:
            if (call.to_number or "") in self.table.number_fallbacks:
                return gettext("The number's own message")
            return gettext("The fallback message")
        if (call.to_number or "") in self.table.masking_pool:
            return gettext("A masked call")
        return gettext("Ring the app user called")

    def destination(self, destination: dict) -> str:
        words = destination_words(destination, self.table)
        kind = destination["kind"]
        if self.focus == ("menu", destination.get("menu")) and kind == DestinationKind.MENU:
            menu = self.table.menus.get(str(destination["menu"]))
            if menu is not None:
                return f"{words} ({self._keys(menu)})"
        if self.focus == ("group", destination.get("group")) and kind == DestinationKind.GROUP:
            group = self.table.groups.get(str(destination["group"]))
            if group is not None:
                return f"{words} ({self._members(group)})"
        return words

    def _keys(self, menu: dict) -> str:
        keys = [
            f"{digit}: {destination_words(option, self.table)}"
            for digit, option in sorted(menu["options"].items())
        ]
        final = gettext("no key: %(step)s") % {"step": destination_words(menu["final"], self.table)}
        return "; ".join([*keys, final])

    def _members(self, group: dict) -> str:
        members = [
            gettext("app user %(user)s") % {"user": member["address"]}
            if member["kind"] == "user"
            else phone_display(member["address"])
            for member in group["members"]
        ]
        final = gettext("nobody answers: %(step)s") % {
            "step": destination_words(group["final"], self.table)
        }
        return "; ".join([*members, final]) if members else final


class TimeSignature:
    """What routing reads of a call's time and caller: which rules' days and hours it falls in,
    whether each table's calendar finds the project open, which caller patterns it matches. Two
    calls to the same party from the same side (app or phone) with the same signature route
    alike (nothing else in a table reads the time or the caller, and the replay's state moves no
    pointer and knows no masking session), so each such group of calls is routed once."""

    def __init__(self, *tables: Table) -> None:
        self.table = tables[0]
        self.schedules = sorted(
            {
                (tuple(rule.get("days") or ()), rule.get("start") or "", rule.get("end") or "")
                for table in tables
                for rule in table.rules
                if rule.get("days") or rule.get("start")
            }
        )
        uses_hours = any(
            rule.get("hours") in (Hours.OPEN, Hours.CLOSED)
            for table in tables
            for rule in table.rules
        )
        self.calendars = [table.calendar for table in tables] if uses_hours else []
        self.callers: list[str] = sorted(
            {str(rule.get("caller_pattern") or "") for table in tables for rule in table.rules}
            - {""}
        )

    def of(self, call: Call) -> tuple:
        zone = self.table.time_zone
        return (
            *(
                matches_schedule({"days": days, "start": start, "end": end}, call, self.table)
                for days, start, end in self.schedules
            ),
            *(is_open(calendar, call.at, zone) for calendar in self.calendars),
            *(pattern_matches(pattern, call.from_wire) for pattern in self.callers),
        )


def replay(
    before: Table,
    after: Table,
    calls: Sequence[Call],
    *,
    focus: tuple[str, int] | None = None,
    since: datetime | None = None,
    limited: bool = False,
) -> Replay:
    """Route each call through both tables; the calls whose outcome differs, grouped by called
    party and outcomes, largest group first (pure: no database, nothing moved)."""
    old, new = Outcomes(before, focus), Outcomes(after, focus)
    moves: dict[tuple[str, str, str], Move] = {}
    times = TimeSignature(before, after)
    known: dict[tuple, tuple[str, str]] = {}
    for call in calls:
        alike = (call.to_raw, call.from_internal, times.of(call))
        if alike not in known:
            known[alike] = (old.of(call), new.of(call))
        was, now = known[alike]
        if was == now:
            continue
        to = _called(call, before)
        group = (to, was, now)
        if group not in moves:
            moves[group] = Move(to, was, now, time_zone=before.time_zone)
        moves[group].calls.append(call)
    ordered = sorted(moves.values(), key=lambda move: (-move.count, move.to, move.before))
    return Replay(len(calls), since or timezone.now(), ordered, limited)


def what_changes(
    project: Project,
    edit: Edit,
    *,
    focus: tuple[str, int] | None = None,
    now: datetime | None = None,
) -> Replay:
    """The project's calls of the last DAYS_BACK days replayed through its routing as it is and
    with `edit` applied (nothing written)."""
    data = build_snapshot(project)
    edited = copy.deepcopy(data)
    edit(edited)
    since = (now or timezone.now()) - timedelta(days=DAYS_BACK)
    calls = _source[0](project, since, MAX_CALLS + 1)
    limited = len(calls) > MAX_CALLS
    before, after = Table.from_json(data), Table.from_json(edited)
    return replay(before, after, calls[:MAX_CALLS], focus=focus, since=since, limited=limited)
