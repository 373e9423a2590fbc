"""The call log in the admin: each tenant sees only its calls, nothing is editable, details tell the
story."""

import pytest

from calls.models import CallDecision, CallRecord, Recording
from calls.tests.factories import CallEventFactory, CallRecordFactory

pytestmark = pytest.mark.django_db

RECORDS = "/admin/calls/callrecord/"
EVENTS = "/admin/calls/callevent/"


@pytest.fixture
def calls_of_both(tenant_a, tenant_b):
    a = CallRecordFactory(project=tenant_a, call_id="call-of-a", to_number="+84901111111")
    b = CallRecordFactory(project=tenant_b, call_id="call-of-b", to_number="+84902222222")
    CallEventFactory(project=tenant_a, call_id="call-of-a", status="ringing")
    CallEventFactory(project=tenant_b, call_id="call-of-b", status="ringing")
    return a, b


@pytest.mark.parametrize("page", [RECORDS, EVENTS])
def test_tenant_staff_list_only_their_projects_calls(
    staff_client_for, tenant_a, calls_of_both, page
):
    html = staff_client_for(tenant_a, "viewer").get(page).content.decode()
    assert "call-of-a" in html
    assert "call-of-b" not in html
    assert "Tenant B" not in html


def test_search_by_number_in_any_form_stays_in_scope(staff_client_for, tenant_a, calls_of_both):
    client = staff_client_for(tenant_a)
    assert "call-of-a" in client.get(RECORDS, {"q": "0901111111"}).content.decode()
    assert "call-of-b" not in client.get(RECORDS, {"q": "0902222222"}).content.decode()


def test_other_tenants_call_detail_does_not_open(staff_client_for, tenant_a, calls_of_both):
    client = staff_client_for(tenant_a)
    _, b = calls_of_both
    b_event = b.project.call_events.get()
    for url in (f"{RECORDS}{b.pk}/change/", f"{EVENTS}{b_event.pk}/change/"):
        response = client.get(url, follow=True)
        assert "call-of-b" not in response.content.decode()


def test_detail_shows_timeline_recordings_and_routing(staff_client_for, tenant_a, calls_of_both):
    a, _ = calls_of_both
    CallDecision.objects.create(
        project=a.project,
        call_id=a.call_id,
        token="t1",
        parked_us=1,
        decision={"rule_name": "Night shift", "scco": []},
    )
    Recording.objects.create(
        project=tenant_a, call=a, url="https://rec.example/a.mp3", format="mp3", payload={}
    )
    html = staff_client_for(tenant_a, "viewer").get(f"{RECORDS}{a.pk}/change/").content.decode()
    assert "ringing" in html  # the event timeline
    assert "https://rec.example/a.mp3" in html
    assert "Night shift" in html
    assert 'name="_save"' not in html  # a view page, not a form


@pytest.mark.parametrize("role", ["owner", "operator"])
def test_even_owners_cannot_add_change_or_delete_calls(
    staff_client_for, tenant_a, calls_of_both, role
):
    client = staff_client_for(tenant_a, role)
    a, _ = calls_of_both
    assert client.get(f"{RECORDS}add/").status_code == 403
    client.post(f"{RECORDS}{a.pk}/change/", {"status": "failed", "call_id": "edited"})
    assert client.get(f"{RECORDS}{a.pk}/delete/").status_code == 403
    assert CallRecord.objects.get(pk=a.pk).call_id == "call-of-a"


def test_superusers_cannot_delete_calls_either(admin_client, calls_of_both):
    a, _ = calls_of_both
    assert admin_client.get(f"{RECORDS}{a.pk}/delete/").status_code == 403
    admin_client.post(
        RECORDS, {"action": "delete_selected", "_selected_action": [a.pk], "post": "yes"}
    )
    assert CallRecord.objects.filter(pk=a.pk).exists()


def test_superuser_sees_every_tenants_calls(admin_client, calls_of_both):
    html = admin_client.get(RECORDS).content.decode()
    assert "call-of-a" in html and "call-of-b" in html
