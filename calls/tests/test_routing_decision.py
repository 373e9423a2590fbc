"""What the answer_url decided for a call ends up on that call's record."""

import pytest

from calls.ingest import ingest_event
from calls.models import CallRecord
from calls.routing_log import collect_decision, remember_decision
from calls.tests.factories import T0, call_event, ended

pytestmark = pytest.mark.django_db

DECISION = {"rule": 7, "rule_name": "Sales", "scco": [{"action": "connect"}], "reason": "matched"}


def test_decision_parked_by_answer_url_lands_on_the_record(tenant_a):
    remember_decision(tenant_a.pk, "d1", DECISION)
    ingest_event(tenant_a, call_event("d1", "created", T0))
    ingest_event(tenant_a, ended("d1", T0 + 1000, "486 Busy Here"))
    assert CallRecord.objects.get(call_id="d1").routing == [DECISION]
    assert collect_decision(tenant_a.pk, "d1") is None


def test_later_decisions_of_the_same_call_are_appended(tenant_a):
    remember_decision(tenant_a.pk, "d2", DECISION)
    ingest_event(tenant_a, call_event("d2", "created", T0))
    ivr_choice = {**DECISION, "rule_name": "IVR key 2"}
    remember_decision(tenant_a.pk, "d2", ivr_choice)
    ingest_event(tenant_a, call_event("d2", "ringing", T0 + 1000))
    assert CallRecord.objects.get(call_id="d2").routing == [DECISION, ivr_choice]


def test_another_projects_decision_is_not_collected(tenant_a, tenant_b):
    remember_decision(tenant_b.pk, "d3", DECISION)
    ingest_event(tenant_a, call_event("d3", "created", T0))
    assert CallRecord.objects.get(project=tenant_a, call_id="d3").routing == []


def test_with_redis_decisions_are_written_in_the_background_for_every_worker(settings):
    import time

    import redis as redis_lib

    from calls import routing_log

    url = "redis://127.0.0.1:6379/12"
    try:
        redis_lib.Redis.from_url(url).ping()
    except redis_lib.ConnectionError:
        pytest.skip("needs the Redis service on 127.0.0.1:6379")
    settings.CACHES = {"default": {"BACKEND": "portal.redis_cache.RedisCache", "LOCATION": url}}
    from django.core.cache import cache

    cache.clear()
    decisions = {f"bg-{n}": {"rule": f"rule {n}"} for n in range(300)}
    for call_id, decision in decisions.items():
        remember_decision(7, call_id, decision)
    keys = [routing_log._key(7, call_id) for call_id in decisions]
    deadline = time.monotonic() + 5
    while len(cache.get_many(keys)) < len(keys) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(cache.get_many(keys)) == len(keys)  # in Redis: another worker's events find them
    collected = {call_id: collect_decision(7, call_id) for call_id in decisions}
    assert collected == decisions
    assert collect_decision(7, "bg-0") is None  # collected once


def test_a_decision_still_waiting_to_be_written_is_collected_in_the_same_worker(settings):
    from calls import routing_log

    writer = routing_log.BatchedCacheWriter(60, linger=3600)  # never flushes on its own here
    writer.set("k", {"rule": "r"})
    assert writer.take("k") == {"rule": "r"}
    assert writer.take("k") is None
