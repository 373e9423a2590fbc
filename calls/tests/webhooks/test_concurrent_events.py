"""Concurrent deliveries for one call (threads, PostgreSQL) give one record and keep every event."""

import pytest
from django.test import Client

from calls.models import CallEvent, CallRecord
from calls.tests.factories import T0, call_event, ended, event_url_of, post_json
from portal.tests.factories import ProjectFactory
from portal.tests.helpers import run_in_threads

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _post_all_at_once(project, payloads: list[dict]) -> list[int]:
    return run_in_threads(
        lambda payload: post_json(Client(), event_url_of(project), payload).status_code, payloads
    )


def test_concurrent_distinct_events_make_one_correct_record():
    project = ProjectFactory()
    payloads = [
        call_event("race", "created", T0),
        call_event("race", "ringing", T0 + 1000),
        call_event("race", "answered", T0 + 4000),
        *[call_event("race", "agentEnded", T0 + 5000 + n) for n in range(8)],
        ended("race", T0 + 34000, "200 OK", answer_duration=30),
    ]
    statuses = _post_all_at_once(project, payloads)
    assert statuses == [200] * len(payloads)
    assert CallRecord.objects.filter(project=project, call_id="race").count() == 1
    assert CallEvent.objects.filter(project=project, call_id="race").count() == len(payloads)
    record = CallRecord.objects.get(project=project, call_id="race")
    assert (record.status, record.ring_seconds, record.talk_seconds) == ("answered", 3, 30)


def test_concurrent_retries_of_one_event_store_it_once():
    project = ProjectFactory()
    statuses = _post_all_at_once(project, [call_event("retry", "ringing", T0)] * 8)
    assert statuses == [200] * 8
    assert CallEvent.objects.filter(project=project, call_id="retry").count() == 1
    assert CallRecord.objects.filter(project=project, call_id="retry").count() == 1
