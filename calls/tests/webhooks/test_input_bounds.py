"""Webhook bodies are bounded: size (413), depth, text, numbers and times out of range are a named
400."""

import json

import pytest

from calls.models import CallEvent, CallRecord, Recording
from calls.tests.factories import T0, call_event, event_url_of, post_json, recording_url_of

pytestmark = pytest.mark.django_db

LINK = "https://files.stringee.com/rec/call-b1.mp3"


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def _raw(extra: str) -> str:
    """An event body written by hand, for what json.dumps cannot produce."""
    return '{"call_id": "b1", "timestamp_ms": ' + str(T0) + ", " + extra + "}"


OUT_OF_BOUNDS = {
    "nested 1000 deep": (
        _raw('"x": ' + _nested(1000)),
        "too_deep",
        "deeper",
    ),
    "nested 33 deep": (
        _raw('"x": ' + _nested(33)),
        "too_deep",
        "32",
    ),
    "timestamp past 2100": (
        call_event("b1", "answered", 253402300799999),
        "bad_field",
        "timestamp_ms",
    ),
    "timestamp before 2000": (call_event("b1", "answered", 1000), "bad_field", "timestamp_ms"),
    "NaN": (_raw('"duration": NaN'), "bad_number", "finite"),
    "Infinity": (_raw('"x": -Infinity'), "bad_number", "finite"),
    "overflowing float": (_raw('"x": 1e400'), "bad_number", "finite"),
    "NUL in a value": (call_event("b1", "answered", endCallCause="a\x00b"), "bad_text", "NUL"),
    "NUL in a key": ({**call_event("b1", "answered"), "k\x00": 1}, "bad_text", "NUL"),
    "lone surrogate": (_raw('"x": "\\ud800"'), "bad_text", "surrogate"),
    "id over 128 characters": (call_event("b" * 129, "answered"), "bad_field", "call_id"),
    "from.number a boolean": (
        call_event("b1", "answered", **{"from": {"number": True, "type": "internal"}}),
        "bad_field",
        "from.number",
    ),
    "to.alias a list": (
        call_event("b1", "answered", to={"number": "84901234567", "alias": [1]}),
        "bad_field",
        "to.alias",
    ),
    "from.number too long": (
        call_event("b1", "answered", **{"from": {"number": "u" * 129}}),
        "bad_field",
        "from.number",
    ),
    "answerDuration huge": (
        call_event("b1", "ended", answerDuration=1e308),
        "bad_field",
        "answerDuration",
    ),
    "answerDuration negative": (
        call_event("b1", "ended", answerDuration=-5),
        "bad_field",
        "answerDuration",
    ),
    "serial past 64 bits": (call_event("b1", "ended", serial=2**64), "bad_field", "serial"),
    "user id too long": (
        call_event("b1", "ended", request_from_user_id="u" * 200),
        "bad_field",
        "request_from_user_id",
    ),
}


@pytest.mark.parametrize("case", OUT_OF_BOUNDS)
def test_event_out_of_bounds_is_400_naming_it_and_stores_nothing(client, tenant_a, case):
    body, code, mentioned = OUT_OF_BOUNDS[case]
    response = post_json(client, event_url_of(tenant_a), body)
    assert response.status_code == 400, response.content
    assert response.json()["error"] == code
    assert mentioned in response.json()["detail"]
    assert not CallEvent.objects.exists()
    assert not CallRecord.objects.exists()


def test_body_over_64_kb_is_413(client, tenant_a):
    body = call_event("b1", "answered", padding="x" * 70_000)
    response = post_json(client, event_url_of(tenant_a), body)
    assert (response.status_code, response.json()["error"]) == (413, "body_too_large")
    assert not CallEvent.objects.exists()


def test_an_event_at_the_edges_of_the_range_is_stored_and_listed(client, tenant_a):
    for call_id, at in (("early", 946_684_800_000), ("late", 4_102_444_799_999)):
        assert (
            post_json(
                client, event_url_of(tenant_a), call_event(call_id, "answered", at)
            ).status_code
            == 200
        )
    assert CallRecord.objects.count() == 2


@pytest.mark.parametrize(
    ("body", "query", "mentioned"),
    [
        ({"call_id": "b1", "url": LINK, "duration": 1e308}, "", "duration"),
        ({"call_id": "b1", "url": LINK, "duration": -1}, "", "duration"),
        ({"call_id": "b1", "url": LINK}, "?duration=nan", "duration"),
        ({"call_id": "b1", "url": LINK}, "?duration=inf", "duration"),
        ({"call_id": "b1", "url": LINK, "x": json.loads(_nested(40))}, "", "deeper"),
    ],
)
def test_recording_out_of_bounds_is_400(client, tenant_a, body, query, mentioned):
    response = post_json(client, recording_url_of(tenant_a) + query, body)
    assert response.status_code == 400, response.content
    assert mentioned in response.json()["detail"]
    assert not Recording.objects.exists()


def test_nul_in_a_webhook_query_string_is_400(client, tenant_a):
    response = client.get(recording_url_of(tenant_a), {"callId": "a\x00b", "url": LINK})
    assert (response.status_code, response.json()["error"]) == (400, "bad_text")


@pytest.mark.parametrize("kind", ["ivr", "on_fail", "ring"])
@pytest.mark.parametrize(
    ("body", "code"),
    [
        (_nested(2000), "too_deep"),
        ('{"callId": "a\\u0000"}', "bad_text"),
        ('{"dtmf": NaN}', "bad_number"),
    ],
)
def test_routing_callbacks_refuse_bodies_out_of_bounds(client, tenant_a, kind, body, code):
    url = f"/{kind}/{tenant_a.stringee_project_id}/{tenant_a.webhook_token}/1/"
    response = client.post(url, data=body, content_type="application/json")
    assert (response.status_code, response.json()["error"]) == (400, code)


def test_routing_callbacks_still_read_a_body_that_is_not_json_as_empty(client, tenant_a):
    url = f"/ivr/{tenant_a.stringee_project_id}/{tenant_a.webhook_token}/1/"
    response = client.post(url, data=b"dtmf=1", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
