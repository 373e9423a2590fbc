"""What Stringee's part does when the portal answers too slowly or not with an SCCO: the caller
hears nothing more, the transcript says why, and the call still ends with its events."""

from __future__ import annotations

import json
import time

from werkzeug.wrappers import Request, Response

from calls.emulator import CallSetup, Emulator, Portal


def portal_at(httpserver) -> Portal:
    return Portal(
        base_url=httpserver.url_for("/").rstrip("/"),
        answer_url="https://portal.example/answer_url/7/token/",
        event_url="https://portal.example/event_url/7/token/",
        project_id=7,
        hide=("token",),
    )


def test_an_answer_url_slower_than_stringee_waits_ends_the_call(httpserver):
    events: list[dict] = []

    def slow(request: Request) -> Response:
        time.sleep(0.6)
        return Response("[]", content_type="application/json")

    def event(request: Request) -> Response:
        events.append(json.loads(request.data))
        return Response('{"ok": true}', content_type="application/json")

    httpserver.expect_request("/answer_url/7/token/").respond_with_handler(slow)
    httpserver.expect_request("/event_url/7/token/").respond_with_handler(event)
    run = Emulator(portal_at(httpserver), timeout=0.2).run(
        CallSetup(from_="0901234567", to="0899199866")
    )
    first = run.steps[0]
    assert first["kind"] == "answer_url" and first["http"]["error"] == "timeout"
    assert first["http"]["url"].endswith(
        "/answer_url/7/<token>/?" + first["http"]["url"].split("?")[1]
    )
    assert any(step["kind"] == "problem" for step in run.steps)
    # the one-threaded server may still be busy with the answer_url: a retried event is the same
    by_id = {e["event_id"]: e["call_status"] for e in events}
    assert list(by_id.values()) == ["created", "ended"]
    assert events[-1]["endCallCause"] == "CAN_NOT_MAKE_CALL" and run.heard == []


def test_a_menu_callback_without_an_scco_lets_the_rest_of_the_call_go_on(httpserver):
    menu = [
        {"action": "talk", "text": "Press 1."},
        {"action": "input", "eventUrl": "https://portal.example/ivr/7/token/1/", "maxDigits": 1},
        {"action": "talk", "text": "Goodbye."},
    ]
    httpserver.expect_request("/answer_url/7/token/").respond_with_json(menu)
    httpserver.expect_request("/ivr/7/token/1/").respond_with_data("oops", status=500)
    httpserver.expect_request("/event_url/7/token/").respond_with_json({"ok": True})
    run = Emulator(portal_at(httpserver)).run(
        CallSetup(from_="0901234567", to="0899199866", keys=["1"])
    )
    assert run.heard == ["Press 1.", "Goodbye."]
    sent = next(s for s in run.steps if s["kind"] == "callback")["http"]["sent"]
    assert sent["dtmf"] == "1" and sent["timeout"] is False and sent["time"].isdigit()
