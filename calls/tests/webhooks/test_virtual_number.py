"""A record's virtual number: the project's own number among the events' from/to numbers and
aliases."""

import pytest

from calls.ingest import ingest_event
from calls.models import CallRecord
from calls.tests.factories import T0, call_event
from portal.tests.factories import VirtualNumberFactory

pytestmark = pytest.mark.django_db


def _phone_to_app(call_id: str, dialled: str) -> dict:
    return call_event(
        call_id,
        "created",
        T0,
        request_from_user_id="",
        **{
            "from": {"number": "84987654321", "alias": "84987654321", "type": "external"},
            "to": {"number": "agent_7", "alias": dialled, "type": "internal"},
        },
    )


def test_phone_to_app_record_shows_the_dialled_virtual_number(tenant_a):
    number = VirtualNumberFactory(project=tenant_a, number="+842473000111")
    ingest_event(tenant_a, _phone_to_app("v1", "842473000111"))
    record = CallRecord.objects.get(call_id="v1")
    assert (record.direction, record.to_user, record.virtual_number) == (
        "phone_to_app",
        "agent_7",
        number,
    )


def test_any_typed_form_of_the_number_is_found(tenant_a):
    number = VirtualNumberFactory(project=tenant_a, number="+842473000112")
    ingest_event(tenant_a, _phone_to_app("v2", "02473000112"))
    assert CallRecord.objects.get(call_id="v2").virtual_number == number


def test_masked_call_finds_the_number_in_the_callers_alias(tenant_a):
    number = VirtualNumberFactory(project=tenant_a, number="+842473000113")
    payload = call_event(
        "v3",
        "created",
        T0,
        **{
            "from": {"number": "84987654321", "alias": "842473000113", "type": "external"},
            "to": {"number": "84911111111", "alias": "84911111111", "type": "external"},
        },
    )
    ingest_event(tenant_a, payload)
    assert CallRecord.objects.get(call_id="v3").virtual_number == number


def test_another_projects_number_is_never_the_records(tenant_a, tenant_b):
    VirtualNumberFactory(project=tenant_b, number="+842473000114")
    ingest_event(tenant_a, _phone_to_app("v4", "842473000114"))
    assert CallRecord.objects.get(call_id="v4").virtual_number is None


def test_number_learnt_from_a_later_event_is_kept(tenant_a):
    number = VirtualNumberFactory(project=tenant_a, number="+842473000115")
    ingest_event(tenant_a, call_event("v5", "ringing", T0, **{"from": {}, "to": {}}))
    ingest_event(tenant_a, _phone_to_app("v5", "842473000115"))
    ingest_event(tenant_a, call_event("v5", "answered", T0 + 1000, **{"from": {}, "to": {}}))
    assert CallRecord.objects.get(call_id="v5").virtual_number == number
