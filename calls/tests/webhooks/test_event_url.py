"""The event_url answers Stringee: 200 {"ok": true} once stored, 404/403 for a wrong URL."""

import pytest
from django.db import connection
from django.utils import timezone

from calls.models import CallEvent, CallRecord
from calls.tests.factories import T0, call_event, event_url_of, post_json
from portal.tests.factories import VirtualNumberFactory
from routing.decisions import park_decision
from routing.links import call_from_params

pytestmark = pytest.mark.django_db


def statements_per_event() -> int:
    """PostgreSQL: one statement (the event's INSERT inside the record's upsert). SQLite, which has
    no data-modifying CTE: savepoint, insert the event, upsert the record, release."""
    return 1 if connection.vendor == "postgresql" else 4


def test_stored_event_answers_ok(client, tenant_a):
    response = post_json(client, event_url_of(tenant_a), call_event("c1", "created"))
    assert (response.status_code, response.json()) == (200, {"ok": True})
    event = CallEvent.objects.get(project=tenant_a, call_id="c1")
    assert (event.status, event.payload["account_sid"]) == ("created", "AC.test")
    assert CallRecord.objects.filter(project=tenant_a, call_id="c1").exists()


def test_unknown_project_is_404_and_stores_nothing(client, tenant_a):
    response = post_json(
        client, f"/event_url/999999/{tenant_a.webhook_token}/", call_event("c1", "created")
    )
    assert (response.status_code, response.json()["error"]) == (404, "unknown_project")
    assert not CallEvent.objects.exists()


def test_wrong_token_is_403_and_stores_nothing(client, tenant_a, tenant_b):
    url = f"/event_url/{tenant_a.stringee_project_id}/{tenant_b.webhook_token}/"
    response = post_json(client, url, call_event("c1", "created"))
    assert (response.status_code, response.json()["error"]) == (403, "bad_token")
    assert not CallEvent.objects.exists()


def test_get_is_not_allowed(client, tenant_a):
    assert client.get(event_url_of(tenant_a)).status_code == 405


def test_same_call_id_in_two_projects_makes_two_records(client, tenant_a, tenant_b):
    post_json(client, event_url_of(tenant_a), call_event("shared", "created"))
    post_json(client, event_url_of(tenant_b), call_event("shared", "created"))
    assert CallRecord.objects.filter(call_id="shared").count() == 2


def test_room_events_are_kept_raw_without_a_call_record(client, tenant_a):
    payload = {
        "type": "room",
        "event": "participantJoined",
        "room_id": "room-7",
        "timestamp_ms": T0,
    }
    response = post_json(client, event_url_of(tenant_a), payload)
    assert response.status_code == 200
    event = CallEvent.objects.get(project=tenant_a)
    assert (event.type, event.call_id, event.status) == ("room", "room-7", "participantJoined")
    assert not CallRecord.objects.exists()


def test_event_costs_a_fixed_number_of_queries(client, tenant_a, django_assert_num_queries):
    post_json(client, event_url_of(tenant_a), call_event("warm", "created"))  # project now cached
    with django_assert_num_queries(statements_per_event()):
        response = post_json(
            client, event_url_of(tenant_a), call_event("warm", "ringing", 1_700_000_001_000)
        )
    assert response.status_code == 200


def test_first_event_of_a_call_also_creates_its_record_and_finds_its_number(
    client, tenant_a, django_assert_num_queries
):
    VirtualNumberFactory(project=tenant_a, number="+84901234567")
    post_json(client, event_url_of(tenant_a), call_event("warm", "created"))  # project now cached
    # the record is inserted by the same upsert, its number found by a subquery of it
    with django_assert_num_queries(statements_per_event()):
        response = post_json(client, event_url_of(tenant_a), call_event("new-call", "created"))
    assert response.status_code == 200
    assert CallRecord.objects.get(call_id="new-call").virtual_number.number == "+84901234567"


def test_an_event_with_a_parked_decision_adds_one_insert(
    client, tenant_a, django_assert_num_queries
):
    post_json(client, event_url_of(tenant_a), call_event("warm", "created"))
    call = call_from_params({"callId": "warm"}, timezone.now())
    park_decision(tenant_a.pk, call, {"callId": "warm"}, {"rule_name": "Sales", "scco": []})
    with django_assert_num_queries(statements_per_event() + 1):
        post_json(client, event_url_of(tenant_a), call_event("warm", "ringing", 1_700_000_001_000))
    assert CallRecord.objects.get(call_id="warm").routing == [{"rule_name": "Sales", "scco": []}]


@pytest.mark.parametrize("earlier_events", [4, 50])
def test_an_event_costs_the_same_however_long_the_call(
    client, tenant_a, django_assert_num_queries, earlier_events
):
    for n in range(earlier_events):
        post_json(
            client, event_url_of(tenant_a), call_event("long", "ringing", 1_700_000_000_000 + n)
        )
    assert CallEvent.objects.filter(call_id="long").count() == earlier_events
    with django_assert_num_queries(statements_per_event()):
        response = post_json(
            client, event_url_of(tenant_a), call_event("long", "answered", 1_700_000_100_000)
        )
    assert response.status_code == 200
