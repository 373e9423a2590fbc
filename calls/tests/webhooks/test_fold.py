"""Folding a call's events into its record, in any order and with repeats, equals cdr.derive of the
set."""

from itertools import permutations

import pytest

from calls import cdr
from calls.ingest import ingest_event
from calls.models import CallRecord
from calls.tests.factories import T0, call_event, ended

pytestmark = pytest.mark.django_db

S = 1000
VISIBLE = [
    "started_at",
    "answered_at",
    "ended_at",
    "ring_seconds",
    "talk_seconds",
    "status",
    "end_cause",
    "ended_by",
    "from_number",
    "to_number",
    "from_user",
    "to_user",
    "direction",
]

CASES = {
    "two ended events at one moment: the canonical first gives cause and duration": [
        call_event("x", "ringing", T0),
        ended("x", T0 + 7 * S, "486 Busy Here"),
        ended("x", T0 + 7 * S, "200 OK", answer_duration=3),
    ],
    "parties from different events, ties on the timestamp": [
        call_event("x", "created", T0, **{"from": {"number": "user_2", "type": "internal"}}),
        call_event("x", "ringing", T0, request_from_user_id="user_3"),
        call_event("x", "answered", T0 + 2500, to={"number": "0901234567", "type": "external"}),
    ],
    "fractional answerDuration and half seconds": [
        call_event("x", "created", T0),
        call_event("x", "ringing", T0 + 500),
        ended("x", T0 + 12_500, "BYE", answer_duration=4.123457),
    ],
    "answered, half-second talk without answerDuration": [
        call_event("x", "answered", T0 + 1500),
        {k: v for k, v in ended("x", T0 + 4000, "BYE").items() if k != "answerDuration"},
        call_event("x", "agentEnded", T0 + 3000),
    ],
}


def _expected(events: list[dict]) -> dict:
    stored = {(e["call_status"], e["timestamp_ms"], repr(sorted(e.items()))): e for e in events}
    fields = cdr.derive(
        [cdr.Event(e["call_status"], e["timestamp_ms"], e) for e in stored.values()]
    )
    blank = {name: "" for name in VISIBLE if name.endswith(("_number", "_user", "_cause", "_by"))}
    return {**{name: None for name in VISIBLE}, **blank, "direction": "unknown", **fields}


@pytest.mark.parametrize("name", CASES)
def test_every_order_with_repeats_equals_the_reference(tenant_a, name):
    for n, order in enumerate(permutations(CASES[name])):
        events = [{**payload, "call_id": f"fold-{n}"} for payload in order]
        for payload in [*events, events[0]]:  # a retry of the first delivery, too
            ingest_event(tenant_a, payload)
        record = CallRecord.objects.get(project=tenant_a, call_id=f"fold-{n}")
        expected = {field: _expected(events).get(field) for field in VISIBLE}
        assert {field: getattr(record, field) for field in VISIBLE} == expected, order
