"""Explain how a call would route: per rule why it did or did not match, the decision, the exact
SCCO.

Pure like the engine, and without side effects: the caller passes a read-only `CallState`
(routing.state.PeekState), so no round-robin pointer moves, and nothing is logged or parked
for the calls app. The SCCO is the one the answer_url would return, run through the validator.
"""

from dataclasses import dataclass, field

from routing.engine import decide
from routing.engine.calendar import is_open
from routing.engine.types import Call, CallState, Links, Table
from routing.kinds import CalledKind, Direction
from routing.scco import scco_problems
from routing.weekdays import days_label

DIRECTIONS = {
    Direction.ANY: "any call",
    Direction.APP: "calls from an app user",
    Direction.PHONE: "calls from a phone",
}


@dataclass(frozen=True)
class RuleVerdict:
    rule_id: int
    name: str
    outcome: str  # "matched", "skipped" or "not reached"
    why: str


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
        CalledKind.NUMBER: f"the number {called.get('number')}",
        CalledKind.USER: f"the app user {called.get('user')}",
        CalledKind.ANY_USER: "any active app user of the project",
        CalledKind.PATTERN: f"a number matching {called.get('pattern')!r}",
    }.get(called["kind"], "anything")
    return f"it is for calls to {wanted}, this one is to {call.to_wire!r}"


def _mismatch(name: str, rule: dict, call: Call, table: Table) -> str:
    if name == "matches_direction":
        origin = "an app" if call.from_internal else "a phone"
        return f"it is for {DIRECTIONS[rule['direction']]}, this one is from {origin}"
    if name == "matches_called":
        return _called(rule, call)
    if name == "matches_caller":
        return f"the caller {call.from_wire!r} does not match {rule['caller_pattern']!r}"
    if name == "matches_schedule":
        window = f"{rule.get('start') or 'all day'}–{rule.get('end') or ''}"
        days = days_label(rule.get("days") or []) or "every day"
        return f"outside its days/time window ({days}, {window})"
    return f"it needs the project to be {rule.get('hours')} (business hours), and it is not"


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
            rule["id"], rule["name"], "skipped", "it is tied to another called number or user"
        )
    if rule["id"] == chosen:
        return RuleVerdict(
            rule["id"],
            rule["name"],
            "matched",
            "every condition holds and its destination can serve the call",
        )
    return RuleVerdict(
        rule["id"],
        rule["name"],
        "skipped",
        "it matches, but its destination cannot serve this call",
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
                    rule["id"], rule["name"], "not reached", "the called number is a masking proxy"
                )
            )
            continue
        if not reached:
            rules.append(
                RuleVerdict(rule["id"], rule["name"], "not reached", "an earlier rule matched")
            )
            continue
        verdict = _verdict(index, rule, call, table, candidates, decision.rule_id)
        reached = verdict.outcome != "matched"
        rules.append(verdict)
    open_now = is_open(table.calendar, call.at, table.time_zone)
    return Explanation(decision, rules, scco_problems(decision.scco), open_now)
