"""Pick the rule for a call and return its SCCO: pure functions over a project's routing table.

No HTTP and no database: the views hand in a `Table` (routing.snapshot), a `Call` and the
`Links` to put into SCCOs, and get back a `Decision`. A matcher is one small predicate in
`MATCHERS`; a destination kind is one builder in routing.engine.destinations.
"""

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import time
from functools import wraps
from zoneinfo import ZoneInfo

from portal.dialling import DestinationRefused
from routing import patterns, scco
from routing.engine import destinations, masking, ring
from routing.engine.calendar import hours_allow
from routing.engine.destinations import INVALID_CHOICE_MESSAGE, table_fallback
from routing.engine.types import Call, CallState, Context, Links, NoState, Table
from routing.kinds import CalledKind, Direction, Hours

__all__ = [
    "Call",
    "CallState",
    "Decision",
    "Links",
    "Table",
    "ivr_step",
    "on_fail_step",
    "ring_step",
    "route",
    "rule_scco",
]


@dataclass(frozen=True)
class Decision:
    """What the portal answers: the SCCO, which rule chose it, and why (for logs and staff)."""

    scco: list
    reason: str
    rule_id: int | None = None
    rule_name: str = ""
    matched: bool = True  # False: nothing applied and the fallback message is played

    def as_log(self) -> dict:
        return {
            "rule": self.rule_id,
            "rule_name": self.rule_name,
            "scco": self.scco,
            "reason": self.reason,
        }


# --- matchers: (rule, call, table) -> bool -----------------------------------------------------

Matcher = Callable[[dict, Call, Table], bool]


def pattern_matches(pattern: str, value: str) -> bool:
    """`^…` is a regular expression searched in `value` (by RE2: linear time, routing.patterns);
    anything else is a prefix ("+" ignored)."""
    if pattern.startswith("^"):
        return patterns.search(pattern, value)
    return value.startswith(pattern.lstrip("+"))


def matches_direction(rule: dict, call: Call, table: Table) -> bool:
    return rule["direction"] in (
        Direction.ANY,
        Direction.APP if call.from_internal else Direction.PHONE,
    )


def matches_called(rule: dict, call: Call, table: Table) -> bool:
    called = rule["called"]
    kind = called["kind"]
    if kind == CalledKind.NUMBER:
        return call.to_number is not None and call.to_number == called["number"]
    if kind == CalledKind.USER:
        return call.to_raw == called["user"] and call.to_raw in table.users
    if kind == CalledKind.ANY_USER:
        return call.to_raw in table.users
    if kind == CalledKind.PATTERN:
        return call.to_raw not in table.users and pattern_matches(called["pattern"], call.to_wire)
    return True


def matches_caller(rule: dict, call: Call, table: Table) -> bool:
    return not rule.get("caller_pattern") or pattern_matches(rule["caller_pattern"], call.from_wire)


def matches_schedule(rule: dict, call: Call, table: Table) -> bool:
    """Within the rule's days and [start, end) in the project's time zone; a window may span
    midnight."""
    days, start, end = rule.get("days") or [], rule.get("start"), rule.get("end")
    if not days and not start:
        return True
    local = call.at.astimezone(ZoneInfo(table.time_zone))
    if days and local.isoweekday() not in days:
        return False
    if not start or not end:
        return True
    now, begins, ends = local.time(), time.fromisoformat(start), time.fromisoformat(end)
    if begins < ends:
        return begins <= now < ends
    return now >= begins or now < ends


def matches_hours(rule: dict, call: Call, table: Table) -> bool:
    """The rule's business-hours condition ("open"/"closed") against the project's calendar."""
    return hours_allow(rule.get("hours", Hours.ANY), table.calendar, call.at, table.time_zone)


MATCHERS: list[Matcher] = [
    matches_direction,
    matches_called,
    matches_caller,
    matches_schedule,
    matches_hours,
]


# --- decisions -------------------------------------------------------------------------------


def candidates(table: Table, call: Call) -> list[int]:
    """Indexes of the rules that may apply, in priority order, found by dict lookups."""
    found = list(table.general)
    if call.to_number:
        found += table.by_number.get(call.to_number, [])
    found += table.by_user.get(call.to_raw, [])
    return sorted(set(found))


def rule_scco(
    rule: dict, call: Call, table: Table, links: Links, state: CallState | None = None
) -> list | None:
    """The SCCO `rule` builds for `call` (without checking that it matches)."""
    options = {**rule["options"], "rule_id": rule["id"]}
    return destinations.build(
        rule["destination"], Context(call, table, links, options, state or NoState())
    )


def refusals_heard_as_fallback(step: Callable[..., Decision]) -> Callable[..., Decision]:
    """A routing step whose call would go where the project's calls may not go (or past the
    hourly ceiling) answers the project's fallback instead, the refusal as its reason."""

    signature = inspect.signature(step)

    @wraps(step)
    def guarded(*args, **kwargs) -> Decision:
        try:
            return step(*args, **kwargs)
        except DestinationRefused as refused:
            given = signature.bind(*args, **kwargs).arguments  # `table`, or a `ctx` holding it
            table: Table = given["ctx"].table if "ctx" in given else given["table"]
            return fallback(table, f"destination refused: {refused}")

    return guarded


@refusals_heard_as_fallback
def route(table: Table, call: Call, links: Links, state: CallState | None = None) -> Decision:
    """A masked call by its session; else the first enabled rule (by priority) that matches and can
    serve the call; else the defaults. `state` answers masking lookups and moves round-robin
    pointers."""
    state = state or NoState()
    masked = masking.masked_scco(table, call, state)
    if masked is not None:
        return Decision(masked[0], masked[1])
    for index in candidates(table, call):
        rule = table.rules[index]
        if not all(matcher(rule, call, table) for matcher in MATCHERS):
            continue
        built = rule_scco(rule, call, table, links, state)
        if built is not None:
            return Decision(built, f"rule “{rule['name']}”", rule["id"], rule["name"])
    if call.from_internal and call.to_raw in table.users:
        user = scco.endpoint("internal", call.to_raw, call.to_raw)
        built = destinations.connect_to(user, Context(call, table, links), outbound=False)
        return Decision(built, "default: app user to app user of the same project")
    if call.to_number in table.numbers:
        reason = f"no rule for the project's number {call.to_wire}"
        number_fallback = table.number_fallbacks.get(call.to_number)
        if number_fallback is not None:
            built = destinations.number_fallback_scco(number_fallback, table)
            return Decision(built, f"{reason}: the number's own message", matched=False)
    else:
        reason = f"no rule matches a call from {call.from_wire!r} to {call.to_wire!r}"
    return fallback(table, reason)


def fallback(table: Table, reason: str) -> Decision:
    """The project's fallback message: nothing applied (logged for staff as a routing error)."""
    return Decision(table_fallback(table), reason, matched=False)


@refusals_heard_as_fallback
def ivr_step(ctx: Context, menu_id: int, digits: str, attempt: int) -> Decision:
    """The caller pressed `digits` in menu `menu_id` on try `attempt`: the key, a retry or the final
    step."""
    menu = ctx.table.menus.get(str(menu_id))
    if menu is None:
        return fallback(ctx.table, f"menu {menu_id} no longer exists")
    choice = (digits or "").strip()[:1]
    option = menu["options"].get(choice)
    if option is not None:
        built = destinations.build(option, ctx)
        if built is not None:
            return Decision(built, f"menu “{menu['name']}”: pressed {choice}")
    if attempt <= menu["max_retries"]:
        # A caller who pressed nothing (the input timed out) hears the menu again, not "wrong key".
        retry = []
        if choice:
            message = invalid_choice_message(menu, ctx.table)
            voice = menu.get("voice") or ctx.table.voice
            retry.append(scco.talk(message, voice=voice, barge_in=False))
        retry += destinations.menu_scco(menu, ctx, attempt + 1)
        why = f"invalid input {choice!r}" if choice else "no key pressed"
        return Decision(retry, f"menu “{menu['name']}”: {why}, try {attempt + 1}")
    built = destinations.build(menu["final"], ctx) or table_fallback(ctx.table)
    return Decision(
        built, f"menu “{menu['name']}”: no valid choice after {attempt} tries, final step"
    )


def invalid_choice_message(menu: dict, table: Table) -> str:
    """The menu's "wrong key" message; its English default is spoken in the caller language."""
    text = menu["invalid_message"]
    return table.prompt("invalid_choice", text) if text == INVALID_CHOICE_MESSAGE else text


@refusals_heard_as_fallback
def on_fail_step(ctx: Context, rule_id: int) -> Decision:
    """The rule's connect failed (busy, offline...): what its on-fail setting says to do next."""
    rule = next((rule for rule in ctx.table.rules if rule["id"] == rule_id), None)
    on_fail = rule and rule["options"].get("on_fail")
    if not rule or not on_fail:
        return fallback(ctx.table, f"rule {rule_id} has no on-fail")
    options = {"caller_id": rule["options"].get("caller_id")}
    built = destinations.build(on_fail, Context(ctx.call, ctx.table, ctx.links, options))
    return Decision(built or table_fallback(ctx.table), f"rule “{rule['name']}”: on fail")


@refusals_heard_as_fallback
def ring_step(ctx: Context, group_id: int, tried: int, start: int) -> Decision:
    """A ring group member did not answer: the next member's connect, or the group's final step."""
    group = ctx.table.groups.get(str(group_id))
    if group is None:
        return fallback(ctx.table, f"ring group {group_id} no longer exists")
    size = len(group["members"])
    built = ring.ring_member(group, ctx, max(0, tried), max(0, start))
    step = "final step" if tried >= size else f"member {tried + 1} of {size}"
    return Decision(built, f"ring group “{group['name']}”: {step}")
