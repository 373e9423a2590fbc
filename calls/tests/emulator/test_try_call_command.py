"""`manage.py try_call`: a test call from the command line, printed step by step or as JSON."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from calls.models import CallRecord

PN1, PN2, PN3 = "84899199866", "84901234567", "84909876543"
HOTLINE = ("--project", "1000", "--from", "user_1", "--to", "hotline", "--app")
MENU = "Welcome to the demo hotline. Press 1 for User One, 2 for User Two, 3 for sales."


def try_call(*args: str) -> str:
    out = StringIO()
    call_command("try_call", *args, stdout=out)
    return out.getvalue()


def test_the_hotline_with_keys_and_a_busy_phone_as_json(demo_project):
    printed = try_call(*HOTLINE, "--keys", "3", "1", "--outcome", "busy", "--in-process", "--json")
    call = json.loads(printed)
    assert call["call_id"].startswith("call-test-") and call["ended"]
    assert call["heard"][0] == MENU
    assert [s["data"]["keys"] for s in call["steps"] if s["kind"] == "keys"] == ["3", "1"]
    ring = next(s for s in call["steps"] if s["kind"] == "ring")
    assert ring["data"]["target"]["number"] == PN3
    assert call["record"]["test_call"] is True and call["record"]["end_cause"] == "486 Busy Here"
    assert demo_project.webhook_token not in printed  # URLs are shown without the token


def test_a_phone_call_printed_in_words(demo_project):
    printed = try_call(
        "--project", "1000", "--from", "+" + PN2, "--to", "0899199866", "--in-process"
    )
    assert "App user user_1 rings." in printed and "App user user_1 answers." in printed
    assert "Call log: answered, ring 4 s, talk 30 s, test call." in printed
    record = CallRecord.objects.get(project=demo_project)
    assert record.is_test and record.from_number == "+" + PN2


def test_no_key_pressed_lets_the_menu_time_out(demo_project):
    call = json.loads(try_call(*HOTLINE, "--keys", "-", "--in-process", "--json"))
    first = next(s for s in call["steps"] if s["kind"] == "keys")
    assert first["data"]["keys"] == "" and first["http"] is None
    assert call["heard"].count(MENU) >= 2  # the menu is said again after the time-out


def test_an_unknown_project_is_refused_in_words(demo_project, tenant_b):
    with pytest.raises(CommandError, match="No project with Stringee project id 999"):
        try_call("--project", "999", "--from", PN2, "--to", PN1, "--in-process")


def test_a_portal_that_does_not_answer_is_named(demo_project):
    with pytest.raises(CommandError, match=r"No portal answers at http://127\.0\.0\.1:9"):
        try_call(
            "--project", "1000", "--from", PN2, "--to", PN1, "--base-url", "http://127.0.0.1:9"
        )
