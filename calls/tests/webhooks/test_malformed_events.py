"""A body the event_url cannot read is a 400 naming the problem, and nothing is stored."""

import json

import pytest

from calls.models import CallEvent, CallRecord
from calls.tests.factories import T0, call_event, event_url_of, post_json

pytestmark = pytest.mark.django_db


def _without(field: str) -> dict:
    payload = call_event("c1", "created")
    del payload[field]
    return payload


BAD_BODIES = {
    "malformed JSON": (b'{"call_id": "c1",', "malformed_json", "JSON"),
    "not UTF-8": (b'{"call_id": "\xff"}', "malformed_json", "JSON"),
    "a list, not an object": (json.dumps([call_event("c1", "created")]), "not_an_object", "object"),
    "a bare string": (json.dumps("hello"), "not_an_object", "object"),
    "empty body": (b"", "malformed_json", "JSON"),
    "missing call_id": (_without("call_id"), "missing_call_id", "call_id"),
    "empty call_id": (call_event("", "created"), "missing_call_id", "call_id"),
    "call_id not a string": (
        {**call_event("c1", "created"), "call_id": 12},
        "bad_field",
        "call_id",
    ),
    "call_id too long": (call_event("c" * 200, "created"), "bad_field", "call_id"),
    "missing timestamp_ms": (_without("timestamp_ms"), "missing_timestamp_ms", "timestamp_ms"),
    "timestamp_ms a string": (call_event("c1", "created", "170000"), "bad_field", "timestamp_ms"),
    "timestamp_ms negative": (call_event("c1", "created", -5), "bad_field", "timestamp_ms"),
    "call_status not a string": (
        {**call_event("c1", "created"), "call_status": 3},
        "bad_field",
        "call_status",
    ),
    "answerDuration a string": (
        {**call_event("c1", "ended"), "answerDuration": "9"},
        "bad_field",
        "answerDuration",
    ),
    "answerDuration a boolean": (
        {**call_event("c1", "ended"), "answerDuration": True},
        "bad_field",
        "answerDuration",
    ),
    "from not an object": ({**call_event("c1", "created"), "from": "user_1"}, "bad_field", "from"),
    "type not a string": ({**call_event("c1", "created"), "type": 1}, "bad_field", "type"),
    "room event without an id": (
        {"type": "room", "event": "x", "timestamp_ms": T0},
        "missing_call_id",
        "call_id",
    ),
}


@pytest.mark.parametrize("case", BAD_BODIES)
def test_bad_body_is_400_naming_the_problem_and_stores_nothing(client, tenant_a, case):
    body, code, mentioned = BAD_BODIES[case]
    response = post_json(client, event_url_of(tenant_a), body)
    assert response.status_code == 400
    assert response.json()["error"] == code
    assert mentioned in response.json()["detail"]
    assert not CallEvent.objects.exists()
    assert not CallRecord.objects.exists()
