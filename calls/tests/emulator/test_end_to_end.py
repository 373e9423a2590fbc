"""End to end over real HTTP: the demo seed's flows 1 to 4, a recorded call and a slow portal.

Stringee is played by the emulator; the portal is pytest-django's live server. Each test checks
what the caller hears (the emulator's steps) and the call record staff then find: its outcome,
marked as a test call, in the call log, counted nowhere on the dashboard. (The hotline's menus,
answered in-process, are in test_emulated_calls.py and test_over_http.py.)
"""

from __future__ import annotations

import threading

import pytest

from calls.emulator import CallSetup
from calls.models import Recording
from calls.tests.emulator.end_to_end import ending, every_request_answered, kinds, rung
from routing import webhooks

pytestmark = pytest.mark.django_db(transaction=True)

PN1, PN2, PN3, PN4 = "84899199866", "84901234567", "84909876543", "84899199867"


def test_flow_1_an_app_user_calls_another_who_answers(demo_project, over_http, logged_test_call):
    run = over_http(demo_project).run(CallSetup(from_="user_1", to="user_2", app=True))
    assert every_request_answered(run)
    assert run.heard == [] and rung(run) == ["user_2"]
    assert ending(run)["cause"] == "USER_END_CALL"
    record = logged_test_call(run, demo_project, status="answered", answered=True)
    assert (record.direction, record.from_user, record.to_user) == (
        "app_to_app",
        "user_1",
        "user_2",
    )
    assert record.talk_seconds == 30


def test_flow_2_an_app_user_calls_a_phone_that_is_busy(demo_project, over_http, logged_test_call):
    setup = CallSetup(from_=PN2, to=PN2, app=True, user_id="user_1", outcomes=["busy"])
    run = over_http(demo_project).run(setup)
    ring = kinds(run, "ring")[0]
    assert ring["data"]["target"]["number"] == PN2
    assert ring["action"]["from"]["alias"] == PN1  # the phone sees number 1, the caller ID
    assert run.heard == [] and ending(run)["cause"] == "486 Busy Here"
    record = logged_test_call(run, demo_project, status="busy", answered=False)
    assert record.direction == "app_to_phone"


def test_flow_3_a_phone_calls_number_1_and_user_1_does_not_answer(
    demo_project, over_http, logged_test_call
):
    setup = CallSetup(from_="+" + PN2, to="0899199866", outcomes=["no_answer"])
    run = over_http(demo_project).run(setup)
    assert rung(run) == ["user_1"] and run.heard == []
    assert ending(run)["cause"] == "408 Request Timeout"
    record = logged_test_call(run, demo_project, status="no_answer", answered=False)
    assert (record.direction, record.to_user) == ("phone_to_app", "user_1")


def test_flow_4_number_4_forwards_to_phone_3_and_records_the_call(
    demo_project, over_http, logged_test_call
):
    rule = demo_project.routing_rules.get(name__startswith="Flow 4")
    rule.record = True
    rule.save()
    run = over_http(demo_project).run(CallSetup(from_=PN2, to=PN4, talk_seconds=42))
    assert every_request_answered(run)
    ring = kinds(run, "ring")[0]
    assert (ring["data"]["target"]["number"], ring["action"]["from"]["alias"]) == (PN3, PN4)
    assert [step["kind"] for step in run.steps if step["kind"] in ("record", "talk")] == [
        "record",
        "talk",
    ]
    cdr = kinds(run, "event")[-1]["http"]["sent"]
    assert cdr["recording_url"].endswith(".mp3") and "call_status" not in cdr
    record = logged_test_call(run, demo_project, status="answered", answered=True)
    assert record.direction == "phone_to_phone" and record.talk_seconds == 42
    assert record.recording_url == cdr["recording_url"]
    recording = Recording.objects.get(call=record)
    assert recording.url == cdr["recording_url"] and recording.format == "mp3"


@pytest.fixture
def slow_routing(monkeypatch):
    """The portal's routing takes longer than Stringee waits (held until the test lets it go)."""
    release = threading.Event()
    route = webhooks.engine.route

    def slow(*args, **kwargs):
        release.wait(timeout=5)
        return route(*args, **kwargs)

    monkeypatch.setattr(webhooks.engine, "route", slow)
    yield
    release.set()


def test_a_portal_slower_than_stringee_waits_logs_a_failed_call(
    demo_project, over_http, slow_routing, logged_test_call
):
    run = over_http(demo_project, timeout=0.5).run(CallSetup(from_=PN2, to=PN1))
    first = run.steps[0]
    assert first["kind"] == "answer_url" and first["http"]["error"] == "timeout"
    problem = kinds(run, "problem")[0]
    assert "no SCCO" in problem["says"] and "timeout" in problem["says"]
    assert run.heard == [] and rung(run) == []
    assert ending(run)["cause"] == "CAN_NOT_MAKE_CALL"
    assert all(step["http"]["status"] == 200 for step in kinds(run, "event"))
    logged_test_call(run, demo_project, status="failed", answered=False)
