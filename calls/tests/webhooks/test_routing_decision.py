"""What the answer_url and its callbacks decided for a call ends up on that call's record, in
order."""

from unittest import mock

import pytest
from django.db import DatabaseError
from django.utils import timezone

from calls.ingest import ingest_event
from calls.models import CallDecision, CallRecord
from calls.tests.factories import T0, call_event, ended, event_url_of, post_json
from routing.decisions import MAX_PARKED, park_decision, parked_decisions, release
from routing.links import call_from_params
from routing.tests.factories import RoutingRuleFactory
from routing.tests.helpers import answer, press, take_decisions

pytestmark = pytest.mark.django_db

DECISION = {"rule": 7, "rule_name": "Sales", "scco": [{"action": "connect"}], "reason": "matched"}


def park(project_id: int, call_id: str, decision: dict) -> None:
    park_decision(
        project_id,
        call_from_params({"callId": call_id}, timezone.now()),
        {"callId": call_id},
        decision,
    )


def test_decision_parked_by_answer_url_lands_on_the_record(tenant_a):
    park(tenant_a.pk, "d1", DECISION)
    ingest_event(tenant_a, call_event("d1", "created", T0))
    ingest_event(tenant_a, ended("d1", T0 + 1000, "486 Busy Here"))
    assert CallRecord.objects.get(call_id="d1").routing == [DECISION]
    assert take_decisions(tenant_a.pk, "d1") == []


def test_later_decisions_of_the_same_call_are_appended(tenant_a):
    park(tenant_a.pk, "d2", DECISION)
    ingest_event(tenant_a, call_event("d2", "created", T0))
    ivr_choice = {**DECISION, "rule_name": "IVR key 2"}
    park(tenant_a.pk, "d2", ivr_choice)
    ingest_event(tenant_a, call_event("d2", "ringing", T0 + 1000))
    assert CallRecord.objects.get(call_id="d2").routing == [DECISION, ivr_choice]


def test_decisions_parked_together_keep_their_order(tenant_a):
    steps = [{**DECISION, "rule_name": f"step {n}"} for n in range(5)]
    for step in steps:
        park(tenant_a.pk, "d4", step)
    ingest_event(tenant_a, call_event("d4", "created", T0))
    assert CallRecord.objects.get(call_id="d4").routing == steps


def test_another_projects_decision_is_not_collected(tenant_a, tenant_b):
    park(tenant_b.pk, "d3", DECISION)
    ingest_event(tenant_a, call_event("d3", "created", T0))
    assert CallRecord.objects.get(project=tenant_a, call_id="d3").routing == []
    assert not CallDecision.objects.filter(project=tenant_a).exists()


def test_a_failed_event_leaves_the_decisions_parked(tenant_a):
    park(tenant_a.pk, "d5", DECISION)
    with (
        mock.patch("calls.ingest.store_call_event", side_effect=DatabaseError("boom")),
        pytest.raises(DatabaseError),
    ):
        ingest_event(tenant_a, call_event("d5", "created", T0))
    ingest_event(tenant_a, call_event("d5", "created", T0))
    assert CallRecord.objects.get(call_id="d5").routing == [DECISION]


def test_decisions_failing_to_be_stored_stay_parked_for_the_next_event(tenant_a):
    park(tenant_a.pk, "d6", DECISION)
    with (
        mock.patch.object(CallDecision.objects, "bulk_create", side_effect=DatabaseError("boom")),
        pytest.raises(DatabaseError),
    ):
        ingest_event(tenant_a, call_event("d6", "created", T0))
    assert CallRecord.objects.get(call_id="d6").routing == []  # the event itself is stored
    ingest_event(tenant_a, call_event("d6", "ringing", T0 + 1000))
    assert CallRecord.objects.get(call_id="d6").routing == [DECISION]


def test_a_parked_list_keeps_its_newest_hundred_entries(tenant_a):
    for n in range(MAX_PARKED + 5):
        park(tenant_a.pk, "d8", {**DECISION, "step": n})
    kept = [entry["decision"]["step"] for entry in take_decisions(tenant_a.pk, "d8")]
    assert kept == list(range(5, MAX_PARKED + 5))


def test_two_events_storing_the_same_decisions_keep_one_copy_and_later_ones(tenant_a):
    park(tenant_a.pk, "d7", DECISION)
    first, second = parked_decisions(tenant_a.pk, "d7"), parked_decisions(tenant_a.pk, "d7")
    ivr_choice = {**DECISION, "rule_name": "IVR key 2"}
    park(tenant_a.pk, "d7", ivr_choice)  # parked while both events were being stored
    release(first)
    release(second)  # removes nothing more: the IVR choice stays for the next event
    assert [entry["decision"] for entry in take_decisions(tenant_a.pk, "d7")] == [ivr_choice]


def test_ivr_call_with_two_key_presses_keeps_three_decisions_in_order(client, tenant_a, hotline):
    scco = answer(
        client, tenant_a, from_="user_9", to="hotline", fromInternal="true", callId="call-1"
    ).json()
    second = press(client, scco[1]["eventUrl"], "2").json()
    press(client, second[1]["eventUrl"], "1")
    post_json(client, event_url_of(tenant_a), call_event("call-1", "created", T0))
    routing = CallRecord.objects.get(project=tenant_a, call_id="call-1").routing
    assert len(routing) == 3
    assert routing[0]["scco"][0]["text"] == "Main menu."
    assert routing[1]["scco"][0]["text"] == "Billing menu."
    assert routing[2]["scco"][0]["action"] == "connect"


def _phone_call(project, call_id: str, at_ms: int, status: str = "created") -> dict:
    return call_event(
        call_id,
        status,
        at_ms,
        request_from_user_id="",
        **{
            "from": {"number": "84987654321", "alias": "84987654321", "type": "external"},
            "to": {"number": "agent", "alias": "842473000111", "type": "internal"},
        },
    )


@pytest.fixture
def inbound(tenant_a):
    RoutingRuleFactory(project=tenant_a, name="Inbound")
    return tenant_a


def _answer_phone(client, project, uuid: str):
    return answer(
        client, project, from_="84987654321", to="842473000111", fromInternal="false", uuid=uuid
    )


def test_uuid_only_decision_joins_the_call_whose_id_is_the_uuid(client, inbound):
    scco = _answer_phone(client, inbound, "same-id").json()
    now_ms = timezone.now().timestamp() * 1000
    post_json(client, event_url_of(inbound), _phone_call(inbound, "same-id", int(now_ms)))
    routing = CallRecord.objects.get(call_id="same-id").routing
    assert [step["scco"] for step in routing] == [scco]


def test_uuid_only_decision_joins_its_call_by_caller_and_called_number(client, inbound):
    scco = _answer_phone(client, inbound, "uuid-7").json()
    now_ms = int(timezone.now().timestamp() * 1000)
    post_json(client, event_url_of(inbound), _phone_call(inbound, "call-7", now_ms))
    post_json(
        client, event_url_of(inbound), _phone_call(inbound, "call-7", now_ms + 1000, "ringing")
    )
    assert [step["scco"] for step in CallRecord.objects.get(call_id="call-7").routing] == [scco]
    park(inbound.pk, "uuid-7", {**DECISION, "rule_name": "IVR step"})  # a callback carries the uuid
    post_json(
        client, event_url_of(inbound), _phone_call(inbound, "call-7", now_ms + 2000, "answered")
    )
    routing = CallRecord.objects.get(call_id="call-7").routing
    assert [step["scco"] for step in routing] == [scco, DECISION["scco"]]
    post_json(client, event_url_of(inbound), _phone_call(inbound, "call-8", now_ms + 3000))
    assert CallRecord.objects.get(call_id="call-8").routing == []  # taken once


def test_uuid_only_decision_older_than_the_window_is_not_joined(client, inbound):
    _answer_phone(client, inbound, "uuid-9")
    late_ms = int(timezone.now().timestamp() * 1000) + 120_000
    post_json(client, event_url_of(inbound), _phone_call(inbound, "call-9", late_ms))
    assert CallRecord.objects.get(call_id="call-9").routing == []


def test_with_redis_the_answer_url_parks_before_it_replies(settings):
    import redis as redis_lib

    url = "redis://127.0.0.1:6379/11"
    try:
        redis_lib.Redis.from_url(url).ping()
    except redis_lib.ConnectionError:
        pytest.skip("needs the Redis service on 127.0.0.1:6379")
    settings.CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": url}}
    from django.core.cache import cache

    cache.clear()
    decisions = {f"r-{n}": {"rule": f"rule {n}"} for n in range(50)}
    for call_id, decision in decisions.items():
        park(7, call_id, decision)
        park(7, call_id, {**decision, "step": 2})
    # No background writer: another worker reading Redis right now finds every decision.
    other_worker = redis_lib.Redis.from_url(url)
    assert all(
        other_worker.llen(cache.make_key(f"routing-decisions:7:{c}")) == 2 for c in decisions
    )
    collected = {c: [e["decision"] for e in take_decisions(7, c)] for c in decisions}
    assert collected == {c: [d, {**d, "step": 2}] for c, d in decisions.items()}
    assert take_decisions(7, "r-0") == []  # collected once
    for n in range(MAX_PARKED + 5):
        park(7, "r-long", {"step": n})
    assert other_worker.llen(cache.make_key("routing-decisions:7:r-long")) == MAX_PARKED
    cache.clear()
