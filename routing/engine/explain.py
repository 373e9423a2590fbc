"""Explain how a call would route: per rule why it did or did not match, the decision, the exact
SCCO.

Pure like the engine, and without side effects: the caller passes a read-only `CallState`
(routing.state.PeekState), so no round-robin pointer moves, and nothing is logged or parked
for the calls app. The SCCO is the one the answer_url would return, run through the validator.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from routing.engine import decide
from routing.engine.calendar import is_open
from routing.engine.types import Call, CallState, Links, Table
from routing.kinds import CalledKind, Direction
from routing.scco import scco_problems
from routing.weekdays import days_label

DIRECTIONS = {
    Direction.ANY: _("any call"),
    Direction.APP: _("calls from an app user"),
    Direction.PHONE: _("calls from a phone"),
}
# What happened to each rule, in words (the codes stay in the API's answer).
OUTCOME_WORDS = {
    "matched": _("chosen"),
    "skipped": _("passed over"),
    "not reached": _("not tried"),
}


@dataclass(frozen=True)
class RuleVerdict:
    rule_id: int
    name: str
    outcome: str  # "matched", "skipped" or "not reached"
    why: str

    @property
    def outcome_words(self) -> str:
        return str(OUTCOME_WORDS.get(self.outcome, self.outcome))


@dataclass(frozen=True)
class Explanation:
    decision: decide.Decision
    rules: list[RuleVerdict]
    problems: list[str] = field(default_factory=list)  # the SCCO's contract problems (empty: valid)
    open_now: bool = True

    def as_dict(self) -> dict:
        return {
            "matched_rule": {"id": self.decision.rule_id, "name": self.decision.rule_name}
            if self.decision.rule_id
            else None,
            "reason": self.decision.reason,
            "fallback": not self.decision.matched,
            "business_hours_open": self.open_now,
            "rules": [verdict.__dict__ for verdict in self.rules],
            "scco": self.decision.scco,
            "scco_valid": not self.problems,
            "scco_problems": self.problems,
        }


def _called(rule: dict, call: Call) -> str:
    called = rule["called"]
    wanted = {
        CalledKind.NUMBER: gettext("the number %(number)s") % {"number": called.get("number")},
        CalledKind.USER: gettext("the app user %(user)s") % {"user": called.get("user")},
        CalledKind.ANY_USER: gettext("any active app user of the project"),
        CalledKind.PATTERN: gettext("a number matching %(pattern)s")
        % {"pattern": called.get("pattern")},
    }.get(called["kind"], gettext("anything"))
    return gettext("it is for calls to %(wanted)s; this one is to %(to)s") % {
        "wanted": wanted,
        "to": call.to_wire,
    }


def _mismatch(name: str, rule: dict, call: Call, table: Table) -> str:
    if name == "matches_direction":
        origin = gettext("an app") if call.from_internal else gettext("a phone")
        return gettext("it is for %(calls)s; this one is from %(origin)s") % {
            "calls": DIRECTIONS[rule["direction"]],
            "origin": origin,
        }
    if name == "matches_called":
        return _called(rule, call)
    if name == "matches_caller":
        return gettext("the caller %(caller)s does not match %(pattern)s") % {
            "caller": call.from_wire,
            "pattern": rule["caller_pattern"],
        }
    if name == "matches_schedule":
        start, end = (rule.get("start") or "")[:5], (rule.get("end") or "")[:5]
        window = f"{start}–{end}" if start else gettext("all day")
        days = days_label(rule.get("days") or []) or gettext("every day")
        return gettext("outside its days and hours (%(days)s, %(window)s)") % {
            "days": days,
            "window": window,
        }
    if rule.get("hours") == "open":
        return gettext("it is for when the project is open, and it is closed now")
    return gettext("it is for when the project is closed, and it is open now")


def _verdict(
    index: int, rule: dict, call: Call, table: Table, candidates: set[int], chosen: int | None
) -> RuleVerdict:
    failed = [matcher.__name__ for matcher in decide.MATCHERS if not matcher(rule, call, table)]
    if failed:
        return RuleVerdict(
            rule["id"],
            rule["name"],
            "skipped",
            "; ".join(_mismatch(f, rule, call, table) for f in failed),
        )
    if index not in candidates:
        return RuleVerdict(
            rule["id"], rule["name"], "skipped", gettext("it is for another number or app user")
        )
    if rule["id"] == chosen:
        return RuleVerdict(
            rule["id"],
            rule["name"],
            "matched",
            gettext("every condition holds and its destination can take the call"),
        )
    return RuleVerdict(
        rule["id"],
        rule["name"],
        "skipped",
        gettext("it matches, but its destination cannot take this call"),
    )


def explain(table: Table, call: Call, links: Links, state: CallState) -> Explanation:
    """What the answer_url would do with `call`, rule by rule. `state` must not move anything."""
    decision = decide.route(table, call, links, state)
    candidates = set(decide.candidates(table, call))
    masked = (call.to_number or "") in table.masking_pool
    rules, reached = [], True
    for index, rule in enumerate(table.rules):
        if masked:
            rules.append(
                RuleVerdict(
                    rule["id"],
                    rule["name"],
                    "not reached",
                    gettext("the called number is a masking number: the masking session decides"),
                )
            )
            continue
        if not reached:
            rules.append(
                RuleVerdict(
                    rule["id"], rule["name"], "not reached", gettext("an earlier rule was chosen")
                )
            )
            continue
        verdict = _verdict(index, rule, call, table, candidates, decision.rule_id)
        reached = verdict.outcome != "matched"
        rules.append(verdict)
    open_now = is_open(table.calendar, call.at, table.time_zone)
    return Explanation(decision, rules, scco_problems(decision.scco), open_now)
