"""The numbers pages speak of Stringee: each number's state in plain words on the list and its
page, the "Send to Stringee" button for numbers that failed or differ, and the superusers'
"Read numbers from Stringee" button. Another tenant's staff see none of it and trigger nothing."""

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from portal.models import Membership, StringeeState, StringeeSync, VirtualNumber
from portal.tests.factories import VirtualNumberFactory

pytestmark = pytest.mark.django_db

LIST = "/admin/portal/virtualnumber/"
Role = Membership.Role


@pytest.fixture
def failed(tenant_a):
    return VirtualNumberFactory(
        project=tenant_a,
        number="+84901111111",
        stringee_id=487,
        stringee_state=StringeeState.FAILED,
        stringee_error="busy",
    )


def test_the_list_shows_each_numbers_state_on_stringee(stringee, staff_client_for, tenant_a):
    VirtualNumberFactory(
        project=tenant_a, stringee_state=StringeeState.FAILED, stringee_error="busy"
    )
    VirtualNumberFactory(
        project=tenant_a, stringee_state=StringeeState.IN_SYNC, stringee_sent_at=timezone.now()
    )
    VirtualNumberFactory(project=tenant_a, stringee_state=StringeeState.DIFFERS)
    html = staff_client_for(tenant_a).get(LIST).content.decode()
    assert "Sending to Stringee failed: Stringee was busy and asked to try later" in html
    assert "In sync with Stringee (last sent" in html
    assert "Different on Stringee" in html


def test_a_numbers_page_shows_its_state_and_details_from_stringee(
    stringee, staff_client_for, tenant_a
):
    number = VirtualNumberFactory(
        project=tenant_a,
        stringee_id=487,
        carrier="Viettel",
        monthly_price="5.50",
        gone_from_stringee_at=timezone.now(),
    )
    html = staff_client_for(tenant_a).get(f"{LIST}{number.pk}/change/").content.decode()
    assert "On Stringee" in html
    assert "Viettel" in html
    assert "missing from the Stringee account since" in html
    assert 'name="stringee_id"' not in html  # shown, never editable


def test_staff_send_a_failed_number_again_with_one_click(
    stringee, staff_client_for, tenant_a, failed, on_commit_at_once
):
    client = staff_client_for(tenant_a, Role.OWNER)
    page = client.get(f"{LIST}{failed.pk}/change/").content.decode()
    assert f"{LIST}{failed.pk}/send-to-stringee/" in page
    response = client.post(f"{LIST}{failed.pk}/send-to-stringee/")
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.stringee_state == StringeeState.PENDING
    assert DBTaskResult.objects.filter(task_path__endswith="push_number").count() == 1
    assert stringee.seen == []  # the worker sends it, not the page


def test_a_different_number_offers_the_fix(stringee, staff_client_for, tenant_a):
    number = VirtualNumberFactory(project=tenant_a, stringee_state=StringeeState.DIFFERS)
    page = staff_client_for(tenant_a, Role.OWNER).get(f"{LIST}{number.pk}/change/")
    assert f"{LIST}{number.pk}/send-to-stringee/" in page.content.decode()


def test_another_tenants_staff_never_see_the_state_nor_send_the_number(
    stringee, staff_client_for, tenant_b, failed, on_commit_at_once
):
    client = staff_client_for(tenant_b, Role.OWNER)
    assert "Sending to Stringee failed" not in client.get(LIST).content.decode()
    assert client.get(f"{LIST}{failed.pk}/change/").status_code in (302, 404)
    assert client.post(f"{LIST}{failed.pk}/send-to-stringee/").status_code == 404
    failed.refresh_from_db()
    assert failed.stringee_state == StringeeState.FAILED
    assert not DBTaskResult.objects.exists()


def test_a_viewer_cannot_send_a_number(stringee, staff_client_for, tenant_a, failed):
    client = staff_client_for(tenant_a, Role.VIEWER)
    assert "send-to-stringee" not in client.get(f"{LIST}{failed.pk}/change/").content.decode()
    assert client.post(f"{LIST}{failed.pk}/send-to-stringee/").status_code == 403
    assert not DBTaskResult.objects.exists()


def test_superusers_read_the_numbers_from_stringee_with_a_button(
    stringee, admin_client, on_commit_at_once
):
    page = admin_client.get(LIST).content.decode()
    assert f"{LIST}read-stringee/" in page
    assert "not been read from it yet" in page
    assert admin_client.post(f"{LIST}read-stringee/").status_code == 302
    assert DBTaskResult.objects.filter(task_path__endswith="stringee_upkeep").count() == 1
    assert stringee.seen == []


def test_the_list_tells_superusers_how_the_last_reading_went(stringee, admin_client):
    StringeeSync.objects.create(finished_at=timezone.now(), error="bad_credentials")
    page = admin_client.get(LIST).content.decode()
    assert "The last reading of Stringee failed" in page
    assert "bad credentials" in page


def test_tenant_staff_have_no_read_button(stringee, staff_client_for, tenant_a):
    client = staff_client_for(tenant_a, Role.OWNER)
    assert "read-stringee" not in client.get(LIST).content.decode()
    assert client.post(f"{LIST}read-stringee/").status_code == 403
    assert not DBTaskResult.objects.exists()


def test_without_an_account_the_list_says_how_to_connect(settings, admin_client):
    settings.STRINGEE_ACCOUNT_SID = ""
    VirtualNumberFactory(stringee_state=StringeeState.FAILED)
    page = admin_client.get(LIST).content.decode()
    assert "Not connected to Stringee: set STRINGEE_ACCOUNT_SID" in page
    number = VirtualNumber.objects.get()
    assert "send-to-stringee" not in admin_client.get(f"{LIST}{number.pk}/change/").content.decode()


def test_a_difference_found_by_a_reading_is_fixed_with_one_click(
    stringee, staff_client_for, tenant_a, on_commit_at_once, background_jobs_at_once
):
    from portal.stringee.sync import numbers_sync

    number = VirtualNumberFactory(project=tenant_a, number="+84901111111")
    stringee.add_number(487, "+84901111111", answer_url="https://changed-by-hand.example.com/")
    numbers_sync()
    number.refresh_from_db()
    assert number.stringee_state == StringeeState.DIFFERS
    client = staff_client_for(tenant_a, Role.OPERATOR)
    assert client.post(f"{LIST}{number.pk}/send-to-stringee/").status_code == 302
    number.refresh_from_db()
    assert number.stringee_state == StringeeState.IN_SYNC
    assert stringee.numbers[487]["answer_url"] == tenant_a.answer_url
    assert len(stringee.puts()) == 1
