"""Business hours switch at the exact minute, honour holidays from midnight, and follow DST."""

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from portal.tests.factories import ProjectFactory
from routing import engine
from routing.engine.calendar import is_open
from routing.engine.types import Call, Table
from routing.kinds import Hours
from routing.models import Holiday, OpeningHours
from routing.tests.factories import RoutingRuleFactory
from routing.tests.helpers import answer

WEEKDAYS_8_TO_1730 = {
    "hours": {str(day): [["08:00:00", "17:30:00"]] for day in range(1, 6)},
    "holidays": [],
}


pytestmark = pytest.mark.usefixtures("on_commit_at_once")


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


# Monday 2026-11-23 in Ho Chi Minh City (UTC+7, no DST): 08:00 local = 01:00 UTC, 17:30 local =
# 10:30 UTC.
@pytest.mark.parametrize(
    "at, open_",
    [
        (utc(2026, 11, 23, 0, 59), False),
        (utc(2026, 11, 23, 1, 0), True),
        (utc(2026, 11, 23, 10, 29), True),
        (utc(2026, 11, 23, 10, 30), False),
        (utc(2026, 11, 28, 3, 0), False),  # Saturday 10:00 local
    ],
)
def test_opening_and_closing_minute_in_a_zone_without_dst(at, open_):
    assert is_open(WEEKDAYS_8_TO_1730, at, "Asia/Ho_Chi_Minh") is open_


def test_half_hour_offset_zone_opens_at_its_own_local_minute():
    # Asia/Kolkata is UTC+5:30 all year: 08:00 local is 02:30 UTC.
    assert not is_open(WEEKDAYS_8_TO_1730, utc(2026, 11, 23, 2, 29), "Asia/Kolkata")
    assert is_open(WEEKDAYS_8_TO_1730, utc(2026, 11, 23, 2, 30), "Asia/Kolkata")


def test_holiday_closes_from_local_midnight_to_midnight():
    always = {
        "hours": {str(day): [["00:00:00", "00:00:00"]] for day in range(1, 8)},
        "holidays": ["2026-12-25"],
    }
    zone = "Asia/Ho_Chi_Minh"  # local midnight is 17:00 UTC the day before
    assert is_open(always, utc(2026, 12, 24, 16, 59), zone)  # 24 Dec 23:59 local
    assert not is_open(always, utc(2026, 12, 24, 17, 0), zone)  # 25 Dec 00:00 local
    assert not is_open(always, utc(2026, 12, 25, 16, 59), zone)  # 25 Dec 23:59 local
    assert is_open(always, utc(2026, 12, 25, 17, 0), zone)  # 26 Dec 00:00 local


def test_berlin_opening_moves_one_hour_in_utc_across_the_spring_dst_change():
    # Clocks go forward on Sunday 2026-03-29: 08:00 is 07:00 UTC on Friday, 06:00 UTC on Monday.
    berlin = "Europe/Berlin"
    assert not is_open(WEEKDAYS_8_TO_1730, utc(2026, 3, 27, 6, 30), berlin)
    assert is_open(WEEKDAYS_8_TO_1730, utc(2026, 3, 27, 7, 0), berlin)
    assert is_open(WEEKDAYS_8_TO_1730, utc(2026, 3, 30, 6, 0), berlin)
    assert not is_open(WEEKDAYS_8_TO_1730, utc(2026, 3, 30, 5, 59), berlin)
    # and back on Sunday 2026-10-25: Monday 08:00 is 07:00 UTC again.
    assert not is_open(WEEKDAYS_8_TO_1730, utc(2026, 10, 26, 6, 30), berlin)
    assert is_open(WEEKDAYS_8_TO_1730, utc(2026, 10, 26, 7, 0), berlin)


def test_project_without_opening_hours_is_open_except_on_holidays():
    only_holidays = {"hours": {}, "holidays": ["2026-01-01"]}
    assert is_open(only_holidays, utc(2026, 1, 2, 3, 0), "Asia/Ho_Chi_Minh")
    assert not is_open(only_holidays, utc(2026, 1, 1, 3, 0), "Asia/Ho_Chi_Minh")


class NoLinks:
    def recording(self, call):
        return "https://p.example/rec/"


def rule(rule_id: int, hours: str, text: str) -> dict:
    return {
        "id": rule_id,
        "name": text,
        "direction": "any",
        "called": {"kind": "any"},
        "caller_pattern": "",
        "days": [],
        "start": None,
        "end": None,
        "hours": hours,
        "destination": {"kind": "message", "text": text},
        "options": {},
    }


def test_open_and_closed_rules_take_turns_at_the_opening_minute():
    rules = (rule(1, "open", "Welcome"), rule(2, "closed", "We are closed"))
    table = Table(
        1,
        "Europe/Berlin",
        "x",
        frozenset(),
        frozenset(),
        rules,
        {},
        {},
        (0, 1),
        {},
        {},
        {},
        WEEKDAYS_8_TO_1730,
    )

    def heard(at):
        return engine.route(table, Call("4930123456", "hotline", False, at), NoLinks()).scco[0][
            "text"
        ]

    assert heard(utc(2026, 3, 30, 5, 59)) == "We are closed"
    assert heard(utc(2026, 3, 30, 6, 0)) == "Welcome"


@pytest.mark.django_db
def test_adding_a_holiday_changes_routing_at_once(client):
    project = ProjectFactory(time_zone="Asia/Ho_Chi_Minh")
    for day in range(1, 8):
        OpeningHours.objects.create(project=project, weekday=day, opens=time(0), closes=time(0))
    RoutingRuleFactory(
        project=project,
        priority=1,
        business_hours=Hours.OPEN,
        destination_kind="message",
        message_text="Open",
    )
    RoutingRuleFactory(
        project=project, priority=2, destination_kind="message", message_text="Holiday"
    )
    params = {"from_": "84901234567", "to": "84899100001", "fromInternal": "false"}
    assert answer(client, project, **params).json()[0]["text"] == "Open"
    today_there = datetime.now(ZoneInfo(project.time_zone)).date()
    Holiday.objects.create(project=project, date=today_there, name="Today")
    assert answer(client, project, **params).json()[0]["text"] == "Holiday"
