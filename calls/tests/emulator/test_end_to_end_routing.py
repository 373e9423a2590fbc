"""End to end over real HTTP: nested IVR menus, ring groups, masked calls, business hours and
voicemail, each built with the factories on one tenant beside another.

Stringee is played by the emulator; the portal is pytest-django's live server. Each test checks
what the caller hears and who rang (the emulator's steps), and the call record staff then find:
its outcome, marked as a test call, in the call log, counted nowhere on the dashboard.
"""

from __future__ import annotations

from datetime import time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from calls.emulator import CallSetup
from calls.models import CallRecord, Recording
from calls.tests.emulator.end_to_end import ending, every_request_answered, kinds, rung
from portal.tests.factories import AppUserFactory, VirtualNumberFactory
from routing.engine.masking import ENDED_MESSAGE
from routing.models import Holiday, MaskingSession, OpeningHours, RingGroup, RingGroupMember
from routing.tests.factories import RoutingRuleFactory
from routing.tests.masking_helpers import DRIVER, RIDER, add_pool, open_session

pytestmark = pytest.mark.django_db(transaction=True)

CALLER = "84901234567"
NUMBER = "+84899100001"


def test_a_nested_menu_asks_again_after_a_silent_timeout_then_rings_its_phone(
    tenant_a, tenant_b, hotline, over_http, logged_test_call
):
    setup = CallSetup(from_="user_9", to="hotline", app=True, keys=["2", "", "1"])
    run = over_http(tenant_a).run(setup)
    assert every_request_answered(run)
    assert run.heard == ["Main menu.", "Billing menu.", "Billing menu."]  # no "wrong key"
    assert [step["data"]["keys"] for step in kinds(run, "keys")] == ["2", "", "1"]
    assert kinds(run, "callback")[1]["http"]["sent"]["timeout"] is True
    assert rung(run) == ["84909000333"]
    record = logged_test_call(run, tenant_a, status="answered", answered=True)
    assert record.decisions.count() == 4  # the rule, then each answer to a menu
    assert not CallRecord.objects.filter(project=tenant_b).exists()


def test_a_menu_given_a_wrong_key_then_nothing_twice_ends_with_its_final_message(
    tenant_a, hotline, over_http, logged_test_call
):
    setup = CallSetup(from_="user_9", to="hotline", app=True, keys=["7", "", ""])
    run = over_http(tenant_a).run(setup)
    assert run.heard == ["Main menu.", "Wrong key.", "Main menu.", "Main menu.", "Goodbye."]
    assert rung(run) == [] and ending(run)["cause"] == "USER_END_CALL"
    logged_test_call(run, tenant_a, status="answered", answered=True)


@pytest.fixture
def group_rule(tenant_a):
    """`group_rule(strategy)`: calls to NUMBER ring a group of agent_1, agent_2 (then voicemail)."""

    def make(strategy: str) -> RingGroup:
        agents = [AppUserFactory(project=tenant_a, user_id=f"agent_{n}") for n in (1, 2)]
        group = RingGroup.objects.create(
            project=tenant_a,
            name="Support",
            strategy=strategy,
            destination_kind="voicemail",
            message_text="Nobody is free. Leave a message.",
        )
        for position, agent in enumerate(agents):
            RingGroupMember.objects.create(
                group=group, position=position, kind="user", user=agent, timeout=15
            )
        number = VirtualNumberFactory(project=tenant_a, number=NUMBER)
        RoutingRuleFactory(
            project=tenant_a,
            called_kind="number",
            called_number=number,
            destination_kind="group",
            destination_group=group,
        )
        return group

    return make


@pytest.mark.parametrize("first", ["busy", "no_answer"])
def test_a_sequential_group_rings_the_second_agent_when_the_first_does_not_take_the_call(
    tenant_a, group_rule, over_http, logged_test_call, first
):
    group_rule("sequential")
    emulator = over_http(tenant_a)
    run = emulator.run(CallSetup(from_=CALLER, to=NUMBER, outcomes=[first, "answered"]))
    assert every_request_answered(run)
    assert rung(run) == ["agent_1", "agent_2"] and run.heard == []
    assert [step["data"]["outcome"] for step in kinds(run, "failed")] == [first]
    logged_test_call(run, tenant_a, status="answered", answered=True)
    again = emulator.run(CallSetup(from_=CALLER, to=NUMBER))
    assert rung(again) == ["agent_1"]  # sequential: every call starts at the first agent


def test_a_round_robin_group_starts_each_call_at_the_next_agent(
    tenant_a, group_rule, over_http, logged_test_call
):
    group_rule("round_robin")
    emulator = over_http(tenant_a)
    first = emulator.run(CallSetup(from_=CALLER, to=NUMBER))
    second = emulator.run(CallSetup(from_=CALLER, to=NUMBER, outcomes=["busy", "answered"]))
    assert rung(first) == ["agent_1"]
    assert rung(second) == ["agent_2", "agent_1"]  # the next agent first, then round again
    for run in (first, second):
        logged_test_call(run, tenant_a, status="answered", answered=True)


def test_a_group_nobody_answers_takes_a_voicemail_stored_for_the_call(
    tenant_a, group_rule, over_http, logged_test_call
):
    group_rule("sequential")
    setup = CallSetup(from_=CALLER, to=NUMBER, outcomes=["busy", "no_answer"], message_seconds=12)
    run = over_http(tenant_a).run(setup)
    assert every_request_answered(run)
    assert rung(run) == ["agent_1", "agent_2"]
    assert run.heard == ["Nobody is free. Leave a message.", "(beep)"]
    voicemail = kinds(run, "voicemail")[0]
    assert voicemail["action"]["action"] == "recordMessage"
    sent = kinds(run, "callback")[-1]["http"]["sent"]
    assert sent["url"].endswith("-message.mp3") and sent["duration"] == 12
    record = logged_test_call(run, tenant_a, status="answered", answered=True)
    recording = Recording.objects.get(call=record)
    assert (recording.url, recording.duration_seconds) == (sent["url"], 12)


@pytest.fixture
def masked(tenant_a):
    """A session of DRIVER and RIDER on the masking pool's number NUMBER."""
    add_pool(tenant_a, NUMBER)
    return open_session(tenant_a)


@pytest.mark.parametrize("caller, callee", [(DRIVER, RIDER), (RIDER, DRIVER)])
def test_a_masking_session_connects_each_participant_to_the_other(
    tenant_a, masked, over_http, logged_test_call, caller, callee
):
    run = over_http(tenant_a).run(CallSetup(from_=caller, to=NUMBER))
    assert every_request_answered(run)
    ring = kinds(run, "ring")[0]
    assert ring["data"]["target"]["number"] == callee.lstrip("+")
    assert ring["action"]["from"]["alias"] == NUMBER.lstrip("+")  # the callee sees the proxy
    assert run.heard == []
    record = logged_test_call(run, tenant_a, status="answered", answered=True)
    assert record.direction == "phone_to_phone"


def test_an_expired_masking_session_tells_the_caller_it_has_ended(
    tenant_a, masked, over_http, logged_test_call
):
    MaskingSession.objects.filter(pk=masked.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    run = over_http(tenant_a).run(CallSetup(from_=DRIVER, to=NUMBER))
    assert run.heard == [ENDED_MESSAGE] and rung(run) == []
    assert ending(run)["cause"] == "USER_END_CALL"
    logged_test_call(run, tenant_a, status="answered", answered=True)


@pytest.fixture
def calendar_rules(tenant_a):
    """Calls to NUMBER hear whether the project is open; `today` is its local date now."""
    number = VirtualNumberFactory(project=tenant_a, number=NUMBER)
    for hours, text in (("open", "We are open."), ("closed", "We are closed.")):
        RoutingRuleFactory(
            project=tenant_a,
            called_kind="number",
            called_number=number,
            business_hours=hours,
            destination_kind="message",
            message_text=text,
        )
    return timezone.now().astimezone(ZoneInfo(tenant_a.time_zone)).date()


def open_all_day(project, weekdays) -> None:
    for weekday in weekdays:
        OpeningHours.objects.create(project=project, weekday=weekday, opens=time(0), closes=time(0))


def test_a_call_within_business_hours_hears_the_open_message(
    tenant_a, calendar_rules, over_http, logged_test_call
):
    open_all_day(tenant_a, range(1, 8))
    run = over_http(tenant_a).run(CallSetup(from_=CALLER, to=NUMBER))
    assert run.heard == ["We are open."]
    logged_test_call(run, tenant_a, status="answered", answered=True)


def test_a_call_outside_business_hours_hears_the_closed_message(
    tenant_a, calendar_rules, over_http, logged_test_call
):
    away = (calendar_rules + timedelta(days=3)).isoweekday()  # neither today nor next to it
    open_all_day(tenant_a, [away])
    run = over_http(tenant_a).run(CallSetup(from_=CALLER, to=NUMBER))
    assert run.heard == ["We are closed."]
    logged_test_call(run, tenant_a, status="answered", answered=True)


def test_a_call_on_a_holiday_hears_the_closed_message_on_an_open_weekday(
    tenant_a, calendar_rules, over_http, logged_test_call
):
    open_all_day(tenant_a, range(1, 8))
    for days in (-1, 0, 1):  # today, whichever side of midnight the call lands
        Holiday.objects.create(project=tenant_a, date=calendar_rules + timedelta(days=days))
    run = over_http(tenant_a).run(CallSetup(from_=CALLER, to=NUMBER))
    assert run.heard == ["We are closed."]
    logged_test_call(run, tenant_a, status="answered", answered=True)
