"""Schedule rules switch exactly at their window's edges, in the project's time zone."""

from datetime import UTC, datetime

import pytest

from routing import engine
from routing.engine.types import Call, Table

RULE = {
    "id": 1,
    "name": "office hours",
    "direction": "any",
    "called": {"kind": "any"},
    "caller_pattern": "",
    "days": [1, 2, 3, 4, 5],
    "start": "08:00:00",
    "end": "17:30:00",
    "destination": {"kind": "message", "text": "Open"},
    "options": {},
}


class NoLinks:
    def ivr(self, menu_id, call, attempt):
        return "https://p.example/ivr/"

    def on_fail(self, rule_id, call):
        return "https://p.example/fail/"

    def recording(self):
        return "https://p.example/rec/"


def table(rule: dict, time_zone: str = "Asia/Ho_Chi_Minh") -> Table:
    return Table(1, time_zone, "Closed", frozenset(), frozenset(), (rule,), {}, {}, (0,), {})


def routed_at(utc: datetime, rule=RULE, time_zone="Asia/Ho_Chi_Minh") -> str:
    call = Call("84901234567", "84899100001", False, utc)
    return engine.route(table(rule, time_zone), call, NoLinks()).scco[0]["text"]


# Monday 2026-11-23 in Ho Chi Minh City (UTC+7): 08:00 local is 01:00 UTC, 17:30 local is 10:30 UTC.
@pytest.mark.parametrize(
    "utc, heard",
    [
        (datetime(2026, 11, 23, 0, 59, 59, tzinfo=UTC), "Closed"),
        (datetime(2026, 11, 23, 1, 0, 0, tzinfo=UTC), "Open"),
        (datetime(2026, 11, 23, 10, 29, 59, tzinfo=UTC), "Open"),
        (datetime(2026, 11, 23, 10, 30, 0, tzinfo=UTC), "Closed"),
        (datetime(2026, 11, 28, 3, 0, 0, tzinfo=UTC), "Closed"),  # Saturday 10:00 local
    ],
)
def test_office_hours_rule_switches_at_the_window_edges_in_local_time(utc, heard):
    assert routed_at(utc) == heard


def test_same_instant_is_outside_hours_for_a_project_in_another_time_zone():
    instant = datetime(2026, 11, 23, 1, 0, 0, tzinfo=UTC)  # 08:00 in Ho Chi Minh, 02:00 in Paris
    assert routed_at(instant) == "Open"
    assert routed_at(instant, time_zone="Europe/Paris") == "Closed"


def test_night_window_spans_midnight():
    night = {**RULE, "days": [], "start": "22:00:00", "end": "06:00:00"}
    assert routed_at(datetime(2026, 11, 23, 14, 59, tzinfo=UTC), night) == "Closed"  # 21:59 local
    assert routed_at(datetime(2026, 11, 23, 15, 0, tzinfo=UTC), night) == "Open"  # 22:00 local
    assert routed_at(datetime(2026, 11, 23, 22, 59, tzinfo=UTC), night) == "Open"  # 05:59 local
    assert routed_at(datetime(2026, 11, 23, 23, 0, tzinfo=UTC), night) == "Closed"  # 06:00 local
