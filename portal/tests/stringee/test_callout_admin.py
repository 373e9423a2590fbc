"""The admin's outbound calls: the "Call…" button on an app user's and a number's page (pick the
other side, press Call, read what happened), "Call party A…" on an open masking session, and the
read-only Outbound calls list linking each call to the call log. Another tenant's staff reach
none of it; viewers see no button."""

import pytest

from calls.tests.factories import CallRecordFactory
from portal.models import Callout, CalloutState, Membership
from portal.tests.factories import AppUserFactory, VirtualNumberFactory
from routing.models import MaskingPoolNumber
from routing.services.masking import masking_session_create

pytestmark = pytest.mark.django_db

Role = Membership.Role


@pytest.fixture
def on_stringee(stringee, tenant_a, tenant_b, on_commit_at_once, background_jobs_at_once):
    for project in (tenant_a, tenant_b):
        stringee.knows_project(project.api_key_sid, project.api_key_secret)
    return stringee


@pytest.fixture
def agent(tenant_a):
    VirtualNumberFactory(project=tenant_a, number="+842473000111")
    return AppUserFactory(project=tenant_a, user_id="agent_a")


def call_url(user):
    return f"/admin/portal/appuser/{user.pk}/call/"


def test_staff_call_an_app_user_and_read_the_outcome_in_words(
    on_stringee, staff_client_for, tenant_a, agent
):
    client = staff_client_for(tenant_a)
    page = client.get(f"/admin/portal/appuser/{agent.pk}/change/").content.decode()
    assert call_url(agent) in page
    form = client.get(call_url(agent)).content.decode()
    assert "+842473000111" in form  # the project's number to call from
    response = client.post(
        call_url(agent),
        {"from_number": "+842473000111", "connect_to": "0912345678", "to": "someone_else"},
        follow=True,
    )
    assert "Stringee is calling app user agent_a from +842473000111." in response.content.decode()
    callout = Callout.objects.get()
    assert (callout.to_address, callout.connect_address) == ("agent_a", "+84912345678")
    assert callout.requested_by_user is not None
    (seen,) = on_stringee.callouts()
    assert seen.claims["iss"] == tenant_a.api_key_sid


def test_a_refused_destination_is_said_on_the_form_and_nothing_is_asked(
    on_stringee, staff_client_for, tenant_a, agent
):
    response = staff_client_for(tenant_a).post(
        call_url(agent), {"from_number": "+842473000111", "connect_to": "+44 909 879 0000"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "premium-rate" in html
    assert on_stringee.callouts() == []


def test_stringee_refusing_is_said_in_plain_words(on_stringee, staff_client_for, tenant_a, agent):
    on_stringee.refuse_message = "NOT_ENOUGH_MONEY"
    response = staff_client_for(tenant_a).post(
        call_url(agent), {"from_number": "+842473000111"}, follow=True
    )
    html = response.content.decode()
    assert "was not placed: Stringee refused the change: NOT_ENOUGH_MONEY" in html
    assert Callout.objects.get().state == CalloutState.FAILED


def test_without_a_stringee_account_the_page_says_how_to_connect(
    staff_client_for, tenant_a, agent, settings
):
    settings.STRINGEE_ACCOUNT_SID = ""
    client = staff_client_for(tenant_a)
    assert "STRINGEE_ACCOUNT_SID" in client.get(call_url(agent)).content.decode()
    html = client.post(call_url(agent), {"from_number": "+842473000111"}).content.decode()
    assert "No Stringee account is connected" in html
    assert Callout.objects.count() == 0


def test_another_tenants_staff_cannot_reach_the_call_page(
    on_stringee, staff_client_for, tenant_b, agent
):
    client = staff_client_for(tenant_b)
    assert client.get(call_url(agent)).status_code == 404
    assert client.post(call_url(agent), {"from_number": "+842473000111"}).status_code == 404
    assert on_stringee.callouts() == []


def test_viewers_see_no_call_button_and_may_not_call(
    on_stringee, staff_client_for, tenant_a, agent
):
    client = staff_client_for(tenant_a, Role.VIEWER)
    page = client.get(f"/admin/portal/appuser/{agent.pk}/change/").content.decode()
    assert call_url(agent) not in page
    assert client.post(call_url(agent), {"from_number": "+842473000111"}).status_code == 403


def test_a_numbers_page_calls_from_that_number(on_stringee, staff_client_for, tenant_a, agent):
    number = tenant_a.numbers.get()
    client = staff_client_for(tenant_a)
    url = f"/admin/portal/virtualnumber/{number.pk}/call/"
    assert url in client.get(f"/admin/portal/virtualnumber/{number.pk}/change/").content.decode()
    response = client.post(url, {"to": "0912345678", "from_number": "+849999"}, follow=True)
    assert "Stringee is calling +84912345678 from +842473000111." in response.content.decode()
    assert on_stringee.callouts()[0].body["from"]["number"] == "842473000111"


def test_another_tenants_number_and_masking_session_cannot_be_called_from(
    on_stringee, staff_client_for, tenant_a, tenant_b, agent
):
    number = tenant_a.numbers.get()
    proxy = VirtualNumberFactory(project=tenant_a, number="+842473000999")
    MaskingPoolNumber.objects.create(project=tenant_a, number=proxy)
    session = masking_session_create(
        project=tenant_a, participant_a="0912345678", participant_b="0987654321"
    )
    client = staff_client_for(tenant_b)
    for url in (
        f"/admin/portal/virtualnumber/{number.pk}/call/",
        f"/admin/routing/maskingsession/{session.pk}/call/",
    ):
        assert client.get(url).status_code == 404
        assert client.post(url, {"to": "0912345678"}).status_code == 404
    assert on_stringee.callouts() == []


def test_a_closed_masking_session_offers_no_call(on_stringee, staff_client_for, tenant_a):
    from routing.services.masking import masking_session_close

    proxy = VirtualNumberFactory(project=tenant_a, number="+842473000999")
    MaskingPoolNumber.objects.create(project=tenant_a, number=proxy)
    session = masking_session_create(
        project=tenant_a, participant_a="0912345678", participant_b="0987654321"
    )
    masking_session_close(session=session)
    client = staff_client_for(tenant_a)
    url = f"/admin/routing/maskingsession/{session.pk}/call/"
    assert (
        url
        not in client.get(f"/admin/routing/maskingsession/{session.pk}/change/").content.decode()
    )
    assert client.post(url, {}).status_code == 403
    assert on_stringee.callouts() == []


def test_call_party_a_starts_a_masking_session(on_stringee, staff_client_for, tenant_a):
    proxy = VirtualNumberFactory(project=tenant_a, number="+842473000999")
    MaskingPoolNumber.objects.create(project=tenant_a, number=proxy)
    session = masking_session_create(
        project=tenant_a, participant_a="0912345678", participant_b="0987654321"
    )
    client = staff_client_for(tenant_a)
    url = f"/admin/routing/maskingsession/{session.pk}/call/"
    assert url in client.get(f"/admin/routing/maskingsession/{session.pk}/change/").content.decode()
    client.post(url, {})
    (seen,) = on_stringee.callouts()
    assert seen.body["from"]["number"] == "842473000999"
    assert seen.body["to"][0]["number"] == "84912345678"
    connect = seen.body["actions"][0]
    assert connect["to"]["number"] == "84987654321"
    assert connect["from"]["number"] == "842473000999"  # B sees the session's number only


def test_the_outbound_calls_list_links_each_call_to_the_call_log(
    on_stringee, staff_client_for, tenant_a, tenant_b, agent
):
    client = staff_client_for(tenant_a)
    client.post(call_url(agent), {"from_number": "+842473000111"})
    callout = Callout.objects.get()
    record = CallRecordFactory(project=tenant_a, call_id=callout.call_id)
    html = client.get("/admin/portal/callout/").content.decode()
    assert f"/admin/calls/callrecord/{record.pk}/change/" in html
    assert "Stringee is calling app user agent_a" in html
    other = staff_client_for(tenant_b)
    assert other.get(f"/admin/portal/callout/{callout.pk}/change/").status_code in (302, 404)
    assert "agent_a" not in other.get("/admin/portal/callout/").content.decode()
