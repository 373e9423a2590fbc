"""Stringee's retries are stored once and still answered 200; distinct events are all kept."""

import pytest

from calls.models import CallEvent, CallRecord
from calls.tests.factories import T0, call_event, ended, event_url_of, post_json

pytestmark = pytest.mark.django_db


def test_repeated_event_is_stored_once_and_answered_ok(client, tenant_a):
    payload = call_event("c1", "ringing", T0)
    replies = [post_json(client, event_url_of(tenant_a), payload).status_code for _ in range(3)]
    assert replies == [200, 200, 200]
    assert CallEvent.objects.filter(project=tenant_a, call_id="c1").count() == 1


def test_repeated_ended_does_not_change_the_record(client, tenant_a):
    for payload in [
        call_event("c2", "answered", T0),
        ended("c2", T0 + 9000, "200 OK", answer_duration=9),
    ] * 2:
        post_json(client, event_url_of(tenant_a), payload)
    record = CallRecord.objects.get(call_id="c2")
    assert (record.status, record.talk_seconds) == ("answered", 9)
    assert CallEvent.objects.filter(call_id="c2").count() == 2


def test_same_status_at_another_time_is_a_distinct_event(client, tenant_a):
    post_json(client, event_url_of(tenant_a), call_event("c3", "ringing", T0))
    post_json(client, event_url_of(tenant_a), call_event("c3", "ringing", T0 + 1))
    assert CallEvent.objects.filter(call_id="c3").count() == 2


def test_events_with_the_same_event_id_are_stored_once(client, tenant_a):
    first = call_event("c4", "ringing", T0, event_id="ev-1", serial=3)
    retry = {**first, "timestamp_ms": T0 + 5}  # a resend Stringee stamped again
    assert [post_json(client, event_url_of(tenant_a), p).status_code for p in (first, retry)] == [
        200,
        200,
    ]
    (event,) = CallEvent.objects.filter(project=tenant_a, call_id="c4")
    assert (event.event_id, event.serial, event.timestamp_ms) == ("ev-1", 3, T0)


def test_distinct_event_ids_at_the_same_moment_are_both_kept(client, tenant_a, tenant_b):
    post_json(client, event_url_of(tenant_a), call_event("c5", "ringing", T0, event_id="ev-2"))
    post_json(client, event_url_of(tenant_a), call_event("c5", "ringing", T0, event_id="ev-3"))
    post_json(client, event_url_of(tenant_b), call_event("c5", "ringing", T0, event_id="ev-2"))
    assert CallEvent.objects.filter(project=tenant_a, call_id="c5").count() == 2
    assert CallEvent.objects.filter(project=tenant_b, call_id="c5").count() == 1
    assert CallRecord.objects.get(project=tenant_a, call_id="c5").started_at is not None


def test_event_id_must_be_a_short_string_or_number(client, tenant_a):
    for bad in ({"event_id": ["x"]}, {"event_id": "x" * 129}, {"serial": "3"}):
        response = post_json(client, event_url_of(tenant_a), call_event("c6", "ringing", T0, **bad))
        assert (response.status_code, response.json()["error"]) == (400, "bad_field")
    assert not CallEvent.objects.exists()
