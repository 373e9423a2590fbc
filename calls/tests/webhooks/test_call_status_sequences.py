"""Every status sequence of the contract gives the right call record, in order and shuffled."""

from datetime import timedelta
from itertools import permutations

import pytest

from calls.cdr import moment
from calls.ingest import ingest_event
from calls.models import CallEvent, CallRecord
from calls.tests.factories import T0, call_event, ended

pytestmark = pytest.mark.django_db

S = 1000  # one second in ms

SEQUENCES = {
    "answered call": (
        lambda c: [
            call_event(c, "created", T0),
            call_event(c, "ringing", T0 + 1 * S),
            call_event(c, "answered", T0 + 6 * S),
            ended(c, T0 + 48 * S, "200 OK", answer_duration=42, duration=48),
        ],
        {
            "status": "answered",
            "ring_seconds": 5,
            "talk_seconds": 42,
            "answered_at": moment(T0 + 6 * S),
        },
    ),
    "busy": (
        lambda c: [
            call_event(c, "created", T0),
            call_event(c, "ringing", T0 + 1 * S),
            ended(c, T0 + 3 * S, "486 Busy Here"),
        ],
        {"status": "busy", "ring_seconds": 2, "talk_seconds": 0, "answered_at": None},
    ),
    "busy everywhere (600)": (
        lambda c: [call_event(c, "created", T0), ended(c, T0 + 2 * S, "600 Busy Everywhere")],
        {"status": "busy", "answered_at": None},
    ),
    "no answer (480)": (
        lambda c: [
            call_event(c, "created", T0),
            call_event(c, "ringing", T0 + 1 * S),
            ended(c, T0 + 61 * S, "480 Temporarily Unavailable"),
        ],
        {"status": "no_answer", "ring_seconds": 60, "talk_seconds": 0},
    ),
    "no answer (408)": (
        lambda c: [call_event(c, "ringing", T0), ended(c, T0 + 30 * S, "408 Request Timeout")],
        {"status": "no_answer", "ring_seconds": 30},
    ),
    "cancelled by the caller": (
        lambda c: [
            call_event(c, "created", T0),
            call_event(c, "ringing", T0 + 1 * S),
            ended(c, T0 + 4 * S, "487 Request Terminated"),
        ],
        {"status": "cancelled", "answered_at": None},
    ),
    "failed": (
        lambda c: [call_event(c, "created", T0), ended(c, T0 + 1 * S, "503 Service Unavailable")],
        {"status": "failed", "end_cause": "503 Service Unavailable"},
    ),
    "answerDuration > 0 without an answered event": (
        lambda c: [
            call_event(c, "created", T0),
            call_event(c, "ringing", T0 + 1 * S),
            ended(c, T0 + 40 * S, "BYE", answer_duration=30, duration=40),
        ],
        {
            "status": "answered",
            "talk_seconds": 30,
            "answered_at": moment(T0 + 10 * S),
            "ring_seconds": 9,
        },
    ),
}


def _record_after(project, events) -> CallRecord:
    for payload in events:
        ingest_event(project, payload)
    return CallRecord.objects.get(project=project, call_id=events[0]["call_id"])


@pytest.mark.parametrize("name", SEQUENCES)
def test_sequence_in_order_gives_the_contracts_record(tenant_a, name):
    build, expected = SEQUENCES[name]
    record = _record_after(tenant_a, build("call-in-order"))
    assert {field: getattr(record, field) for field in expected} == expected
    assert record.started_at == moment(min(e["timestamp_ms"] for e in build("x")))
    assert record.ended_at is not None


@pytest.mark.parametrize("name", SEQUENCES)
def test_every_arrival_order_gives_the_same_record(tenant_a, name):
    build, expected = SEQUENCES[name]
    fields = [
        *expected,
        "started_at",
        "ended_at",
        "end_cause",
        "ended_by",
        "direction",
        "to_number",
        "from_user",
    ]
    seen = set()
    for n, order in enumerate(permutations(range(len(build("x"))))):
        events = build(f"call-order-{n}")
        record = _record_after(tenant_a, [events[i] for i in order])
        seen.add(tuple(getattr(record, field) for field in fields))
    assert len(seen) == 1
    assert dict(zip(fields, seen.pop(), strict=True))["status"] == expected["status"]


def test_ended_before_answered_still_ends_answered(tenant_a):
    record = _record_after(
        tenant_a,
        [
            ended("c1", T0 + 20 * S, "200 OK", answer_duration=15),
            call_event("c1", "answered", T0 + 5 * S),
        ],
    )
    assert (record.status, record.answered_at, record.ended_at) == (
        "answered",
        moment(T0 + 5 * S),
        moment(T0 + 20 * S),
    )


def test_call_in_progress_until_ended_arrives(tenant_a):
    ringing = _record_after(
        tenant_a, [call_event("c2", "created", T0), call_event("c2", "ringing", T0 + S)]
    )
    assert (ringing.status, ringing.ended_at) == ("in_progress", None)
    talking = _record_after(tenant_a, [call_event("c2", "answered", T0 + 3 * S)])
    assert (talking.status, talking.ring_seconds) == ("answered", 2)


def test_late_ringing_after_ended_does_not_reopen_the_call(tenant_a):
    record = _record_after(
        tenant_a, [ended("c3", T0 + 5 * S, "486 Busy Here"), call_event("c3", "ringing", T0 + S)]
    )
    assert (record.status, record.ended_at) == ("busy", moment(T0 + 5 * S))


def test_record_knows_parties_direction_and_project_number(tenant_a):
    from portal.tests.factories import VirtualNumberFactory

    number = VirtualNumberFactory(project=tenant_a, number="+84901234567")
    record = _record_after(tenant_a, [call_event("c4", "created", T0)])
    assert (record.direction, record.from_user, record.to_number, record.virtual_number) == (
        "app_to_phone",
        "user_1",
        "+84901234567",
        number,
    )


def test_phone_calling_an_app_user_is_inbound(tenant_a):
    payload = call_event(
        "c5",
        "created",
        T0,
        request_from_user_id="",
        **{
            "from": {"number": "84987654321", "type": "external"},
            "to": {"number": "user_9", "type": "internal"},
        },
    )
    record = _record_after(tenant_a, [payload])
    assert (record.direction, record.from_number, record.to_user) == (
        "phone_to_app",
        "+84987654321",
        "user_9",
    )


def test_ring_timeout_text_without_code_is_no_answer(tenant_a):
    record = _record_after(
        tenant_a, [call_event("c6", "ringing", T0), ended("c6", T0 + S, "RING_TIMEOUT")]
    )
    assert record.status == "no_answer"
    assert record.end_cause == "RING_TIMEOUT"


def test_talk_time_falls_back_to_timestamps_without_answer_duration(tenant_a):
    end = ended("c7", T0 + 25 * S, "200 OK")
    del end["answerDuration"]
    record = _record_after(tenant_a, [call_event("c7", "answered", T0 + 5 * S), end])
    assert record.talk_seconds == 20
    assert record.answered_at - record.started_at == timedelta(0)
    assert CallEvent.objects.filter(call_id="c7").count() == 2
