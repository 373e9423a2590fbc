"""Which rules can never be reached: an earlier rule catches every call they would.

Pure, on rules as the routing table stores them (`RoutingRule.as_routing_json`), in the order the
engine tries them. "Catches every call" is decided condition by condition, and only where it is
certain (a prefix inside a shorter prefix, the same regular expression, a window of days inside
a wider one...): a rule reported here is unreachable; a rule not reported may still be, in ways
this cannot prove (two regular expressions, say).
"""

from __future__ import annotations

from collections.abc import Sequence

from routing.engine.decide import pattern_matches
from routing.kinds import CalledKind, Direction, Hours

ALL_DAYS = frozenset(range(1, 8))


def never_reached(rules: Sequence[dict]) -> dict[int, dict]:
    """{rule id: the earlier rule that catches every call it would} for `rules` in the order the
    engine tries them (enabled rules only)."""
    shadowed = {}
    for index, rule in enumerate(rules):
        for earlier in rules[:index]:
            if catches_all_of(earlier, rule):
                shadowed[rule["id"]] = earlier
                break
    return shadowed


def catches_all_of(first: dict, later: dict) -> bool:
    """Whether every call `later` matches is matched by `first` already."""
    return (
        _direction_covers(first["direction"], later["direction"])
        and _called_covers(first["called"], later["called"])
        and _pattern_covers(first.get("caller_pattern") or "", later.get("caller_pattern") or "")
        and _schedule_covers(first, later)
        and (first.get("hours") or Hours.ANY) in (Hours.ANY, later.get("hours") or Hours.ANY)
    )


def _direction_covers(first: str, later: str) -> bool:
    return first in (Direction.ANY, later)


def _called_covers(first: dict, later: dict) -> bool:
    kind, other = first["kind"], later["kind"]
    if kind == CalledKind.ANY:
        return True
    if kind == CalledKind.NUMBER:
        return other == CalledKind.NUMBER and first["number"] == later["number"]
    if kind == CalledKind.USER:
        return other == CalledKind.USER and first["user"] == later["user"]
    if kind == CalledKind.ANY_USER:
        return other in (CalledKind.USER, CalledKind.ANY_USER)
    if kind == CalledKind.PATTERN:
        if other == CalledKind.NUMBER and later["number"]:
            return pattern_matches(first["pattern"], later["number"].lstrip("+"))
        return other == CalledKind.PATTERN and _pattern_covers(first["pattern"], later["pattern"])
    return False


def _pattern_covers(first: str, later: str) -> bool:
    """Every value `later` matches, `first` matches: blank matches all; a prefix covers the
    longer prefixes that start with it; a regular expression covers only itself."""
    if not first:
        return True
    if not later:
        return False
    if first.startswith("^") or later.startswith("^"):
        return first == later
    return later.lstrip("+").startswith(first.lstrip("+"))


def _schedule_covers(first: dict, later: dict) -> bool:
    first_days = frozenset(first.get("days") or ()) or ALL_DAYS
    later_days = frozenset(later.get("days") or ()) or ALL_DAYS
    if not later_days <= first_days:
        return False
    if not first.get("start") or not first.get("end"):
        return True  # all day, on its days
    return (first["start"], first["end"]) == (later.get("start"), later.get("end"))
