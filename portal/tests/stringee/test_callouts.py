"""The worker's side of outbound calls: a callout is sent once (a retry could ring someone twice),
a worker that stopped loses nothing (the upkeep queues a young callout again, fails one too old to
place or interrupted mid-request), and a callout already placed is never sent again."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from portal import services
from portal.models import Callout, CalloutState
from portal.stringee.callout import (
    CALLOUT_EXPIRY_SECONDS,
    CALLOUT_LOST_SECONDS,
    callout_send,
    callouts_recover,
)
from portal.stringee.tasks import outbound_upkeep, place_callout
from portal.tests.factories import VirtualNumberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def asked(stringee, tenant_a, tenant_b):
    """A callout of tenant A waiting for the worker (the database queue holds its job)."""
    stringee.knows_project(tenant_a.api_key_sid, tenant_a.api_key_secret)
    VirtualNumberFactory(project=tenant_a, number="+842473000111")
    return services.callout_place(project=tenant_a, from_number="+842473000111", to="0912345678")


def aged(callout: Callout, seconds: int) -> Callout:
    Callout.objects.filter(pk=callout.pk).update(
        created_at=timezone.now() - timedelta(seconds=seconds)
    )
    return callout


def test_a_callout_is_placed_once_even_when_its_job_runs_twice(stringee, asked):
    assert callout_send(callout_id=asked.pk) == CalloutState.PLACED
    assert callout_send(callout_id=asked.pk) == "taken"
    assert len(stringee.callouts()) == 1
    asked.refresh_from_db()
    assert asked.call_id == "call-vn-1-TEST0001-1700000000000"
    assert asked.attempts == 1


def test_a_callout_lost_with_its_worker_is_queued_again_while_young(stringee, asked):
    aged(asked, CALLOUT_LOST_SECONDS + 1)
    before = DBTaskResult.objects.filter(task_path=place_callout.module_path).count()
    assert outbound_upkeep() == 1
    assert DBTaskResult.objects.filter(task_path=place_callout.module_path).count() == before + 1
    assert Callout.objects.get().state == CalloutState.PENDING


def test_a_callout_too_old_to_place_fails_as_expired_and_rings_nobody(stringee, asked):
    aged(asked, CALLOUT_EXPIRY_SECONDS + 1)
    assert callouts_recover() == []
    callout = Callout.objects.get()
    assert (callout.state, callout.error) == (CalloutState.FAILED, "expired")
    assert callout_send(callout_id=callout.pk) == "taken"
    assert stringee.callouts() == []


def test_a_job_that_starts_after_the_expiry_does_not_place_the_call(stringee, asked):
    aged(asked, CALLOUT_EXPIRY_SECONDS + 1)
    assert callout_send(callout_id=asked.pk) == CalloutState.FAILED
    assert stringee.callouts() == []


def test_a_worker_stopped_mid_request_leaves_the_callout_failed_not_sent_twice(stringee, asked):
    Callout.objects.filter(pk=asked.pk).update(sending_since=timezone.now() - timedelta(minutes=5))
    assert callouts_recover() == []
    callout = Callout.objects.get()
    assert (callout.state, callout.error) == (CalloutState.FAILED, "interrupted")
    assert stringee.callouts() == []


def test_stringee_busy_is_kept_as_the_reason(stringee, asked):
    stringee.fail_with.append(429)
    assert callout_send(callout_id=asked.pk) == CalloutState.FAILED
    assert Callout.objects.get().error == "busy"
    assert len(stringee.seen) == 1
