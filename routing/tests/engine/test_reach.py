"""Which rules can never be reached: an earlier rule catches every call they would."""

import pytest

from routing.engine.reach import catches_all_of, never_reached


def rule(rule_id=1, **conditions):
    called = {"kind": "any", "number": None, "user": None, "pattern": ""}
    called.update(conditions.pop("called", {}))
    return {
        "id": rule_id,
        "direction": "any",
        "called": called,
        "caller_pattern": "",
        "days": [],
        "start": None,
        "end": None,
        "hours": "any",
        **conditions,
    }


NUMBER = {"kind": "number", "number": "+84899100001"}


@pytest.mark.parametrize(
    ("first", "later"),
    [
        (rule(), rule(called=NUMBER, hours="closed")),  # a catch-all before anything
        (rule(called=NUMBER), rule(called=NUMBER, direction="phone")),
        (rule(called={"kind": "pattern", "pattern": "84899"}), rule(called=NUMBER)),
        (
            rule(called={"kind": "pattern", "pattern": "8489"}),
            rule(called={"kind": "pattern", "pattern": "848991"}),
        ),
        (rule(called={"kind": "any_user"}), rule(called={"kind": "user", "user": "agent"})),
        (rule(caller_pattern="8490"), rule(caller_pattern="849012")),
        (rule(days=[1, 2, 3, 4, 5, 6, 7]), rule(days=[1, 2])),
        (
            rule(days=[1, 2, 3], start="08:00:00", end="17:00:00"),
            rule(days=[2], start="08:00:00", end="17:00:00"),
        ),
        (rule(hours="open"), rule(hours="open", caller_pattern="84")),
    ],
)
def test_an_earlier_rule_that_catches_every_call_shadows_the_later_one(first, later):
    assert catches_all_of(first, later)
    assert never_reached([first, {**later, "id": 2}]) == {2: first}


@pytest.mark.parametrize(
    ("first", "later"),
    [
        (rule(called=NUMBER), rule()),  # narrower first: the later rule still gets other calls
        (rule(called=NUMBER), rule(called={**NUMBER, "number": "+84899100002"})),
        (rule(direction="app"), rule(direction="phone")),
        (rule(hours="open"), rule(hours="closed")),
        (rule(hours="open"), rule()),
        (rule(days=[1, 2]), rule(days=[3])),
        (rule(start="08:00:00", end="17:00:00"), rule(start="07:00:00", end="17:00:00")),
        (
            rule(called={"kind": "pattern", "pattern": "^84(9|8)"}),
            rule(called={"kind": "pattern", "pattern": "^849"}),
        ),
        (rule(caller_pattern="8490"), rule()),
        (rule(called={"kind": "pattern", "pattern": "8490"}), rule(called=NUMBER)),
    ],
)
def test_a_rule_that_still_gets_some_calls_is_not_reported(first, later):
    assert not catches_all_of(first, later)
    assert never_reached([first, {**later, "id": 2}]) == {}


def test_the_first_rule_that_shadows_is_named():
    rules = [rule(1, called=NUMBER), rule(2), rule(3, called=NUMBER, hours="open")]
    assert never_reached(rules) == {3: rules[0]}
