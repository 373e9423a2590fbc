"""Calls placed by the emulator land in the call log as test calls, with what the caller heard."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from django.utils import translation

from calls.emulator import CallSetup, Emulator, EmulatorError, Outcome, Run
from calls.emulator.project import in_process_transport, portal_for
from calls.models import CallRecord, Recording
from portal.models import SigningMode, WebhookSignatureFailure

PN1, PN2, PN3, PN4 = "84899199866", "84901234567", "84909876543", "84899199867"
MENU = "Welcome to the demo hotline. Press 1 for User One, 2 for User Two, 3 for sales."
SALES = "Sales. Press 1 to reach our sales phone, 2 to hear our opening hours."


def record_of(run, project) -> CallRecord:
    return CallRecord.objects.get(project=project, call_id=run.call_id)


def test_a_phone_call_to_number_1_rings_user_1_and_is_a_test_call(demo_project, emulator_for):
    run = emulator_for(demo_project).run(CallSetup(from_="+" + PN2, to=PN1))
    assert run.ended and run.need is None and run.heard == []
    ring = next(step for step in run.steps if step["kind"] == "ring")
    assert ring["data"]["target"] == {"type": "internal", "number": "user_1", "alias": PN1}
    record = record_of(run, demo_project)
    assert record.is_test
    assert (record.status, record.direction) == ("answered", "phone_to_app")
    assert (record.ring_seconds, record.talk_seconds) == (4, 30)
    assert record.decisions.count() == 1  # the story: the rule that routed it


def test_the_hotline_asks_for_keys_then_for_the_callees_outcome(demo_project, emulator_for):
    emulator = emulator_for(demo_project)
    run = emulator.start(CallSetup(from_="user_1", to="hotline", app=True))
    assert run.need["kind"] == "keys" and run.need["heard"] == MENU
    run = emulator.resume(json.loads(json.dumps(run.state)), keys="3")  # kept as JSON between
    assert run.need["kind"] == "keys" and run.heard == [MENU, SALES]
    run = emulator.resume(run.state, keys="1")
    assert run.need["kind"] == "outcome"
    assert run.need["target"]["number"] == PN3
    run = emulator.resume(run.state, outcome="busy")
    assert run.ended
    end = run.steps[-2] if run.steps[-1]["kind"] == "event" else run.steps[-1]
    assert end["data"]["cause"] == "486 Busy Here"
    record = record_of(run, demo_project)
    assert record.is_test and record.end_cause == "486 Busy Here"
    assert record.decisions.count() == 3  # the rule, then each menu's key


def test_keys_and_outcomes_given_up_front_run_the_call_to_its_end(demo_project, emulator_for):
    setup = CallSetup(from_="user_1", to="hotline", app=True, keys=["2"], outcomes=["no_answer"])
    run = emulator_for(demo_project).start(setup)
    assert run.ended and run.heard == [MENU]
    record = record_of(run, demo_project)
    assert record.to_user == "hotline" and record.end_cause == "408 Request Timeout"


def test_a_key_no_menu_knows_replays_the_menu(demo_project, emulator_for):
    setup = CallSetup(from_="user_1", to="hotline", app=True, keys=["9", "2"])
    run = emulator_for(demo_project).run(setup)
    assert run.heard[:3] == [MENU, "Sorry, that is not a valid choice.", MENU]
    ring = next(step for step in run.steps if step["kind"] == "ring")
    assert ring["data"]["target"]["number"] == "user_2"  # the second try picks user_2


def test_a_paused_call_refuses_the_wrong_answer_and_an_ended_one_any(demo_project, emulator_for):
    emulator = emulator_for(demo_project)
    run = emulator.start(CallSetup(from_="user_1", to="hotline", app=True))
    with pytest.raises(EmulatorError):
        emulator.resume(run.state, outcome=Outcome.ANSWERED)
    ended = emulator.run(CallSetup(from_="user_1", to="user_2", app=True))
    with pytest.raises(EmulatorError):
        emulator.resume(ended.state, keys="1")


def test_a_recorded_call_gets_its_recording(demo_project, emulator_for, on_commit_at_once):
    rule = demo_project.routing_rules.get(name__startswith="Flow 3")
    rule.record = True
    rule.save()
    run = emulator_for(demo_project).run(CallSetup(from_=PN2, to=PN1))
    record = record_of(run, demo_project)
    assert record.recording_url.endswith(".mp3")
    assert Recording.objects.filter(call=record).count() == 1


def test_a_signing_project_gets_signed_requests(demo_project, emulator_for):
    demo_project.signing_secret = "s3cret"
    demo_project.signing_mode = SigningMode.ENFORCE
    demo_project.save()
    run = emulator_for(demo_project).run(CallSetup(from_=PN2, to=PN4))
    assert all(s["http"]["status"] == 200 for s in run.steps if s["http"])
    assert not WebhookSignatureFailure.objects.exists()
    assert record_of(run, demo_project).direction == "phone_to_phone"


def test_a_token_of_one_tenant_opens_nothing_of_another(demo_project, tenant_b, emulator_for):
    portal = portal_for(demo_project)
    elsewhere = (
        f"http://testserver/event_url/{tenant_b.stringee_project_id}/{demo_project.webhook_token}/"
    )
    wrong = replace(portal, event_url=elsewhere)
    run = Emulator(wrong, transport=in_process_transport()).run(CallSetup(from_=PN2, to=PN1))
    refused = [s for s in run.steps if s["kind"] == "event"]
    assert refused and all(s["http"]["status"] == 403 for s in refused)
    assert any(step["kind"] == "problem" for step in run.steps)
    assert not CallRecord.objects.filter(project=tenant_b).exists()


def test_steps_are_told_in_the_language_of_the_person_trying(demo_project, emulator_for):
    with translation.override("vi"):
        run = emulator_for(demo_project).run(CallSetup(from_="user_1", to="hotline", app=True))
        assert translation.get_language() == "vi"  # the portal's requests left it as it was
    hears = next(step for step in run.steps if step["kind"] == "hear")
    assert hears["says"] == f"Người gọi nghe: {MENU}"


def test_a_saved_state_shows_the_paused_call_again(demo_project, emulator_for):
    run = emulator_for(demo_project).start(CallSetup(from_="user_1", to="hotline", app=True))
    again = Run.from_state(json.loads(json.dumps(run.state)))
    assert (again.call_id, again.need, again.heard) == (run.call_id, run.need, [MENU])
