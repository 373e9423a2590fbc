"""Outbound calls through the API: placed by Stringee with the project's token (201 with its call
id), still waiting on the worker (202 and a URL to read), refused before anything is asked (not
the project's number, another tenant's app user, a premium-rate number, no Stringee account), or
failed on Stringee's side (502, never a 500); each tenant sees only its own."""

import pytest

from portal.models import Callout, CalloutState
from portal.tests.factories import AppUserFactory, VirtualNumberFactory
from portal.tests.helpers import jwt_headers
from portal.tests.stringee.fake_stringee import ACCOUNT_KEY

pytestmark = pytest.mark.django_db

URL = "/api/v1/callouts/"


@pytest.fixture
def tenants_on_stringee(stringee, tenant_a, tenant_b):
    VirtualNumberFactory(project=tenant_a, number="+842473000111")
    VirtualNumberFactory(project=tenant_b, number="+842873000222")
    AppUserFactory(project=tenant_a, user_id="agent_a")
    AppUserFactory(project=tenant_b, user_id="agent_b")
    for project in (tenant_a, tenant_b):
        stringee.knows_project(project.api_key_sid, project.api_key_secret)
    return stringee


@pytest.fixture
def placed_at_once(tenants_on_stringee, on_commit_at_once, background_jobs_at_once):
    return tenants_on_stringee


def post(client, project, body):
    return client.post(URL, body, content_type="application/json", headers=jwt_headers(project))


def test_a_call_to_a_phone_number_is_placed_and_answered_with_stringees_call_id(
    client, tenant_a, placed_at_once
):
    response = post(client, tenant_a, {"from": "024 7300 0111", "to": "0912345678"})
    assert response.status_code == 201
    answer = response.json()
    assert answer["state"] == "placed"
    assert answer["call_id"] == "call-vn-1-TEST0001-1700000000000"
    (seen,) = placed_at_once.callouts()
    assert (seen.method, seen.path) == ("POST", "/v1/call2/callout")
    assert seen.claims["iss"] == tenant_a.api_key_sid  # the project's token, not the account's
    assert seen.claims["rest_api"] is True
    assert seen.body == {
        "from": {"type": "external", "number": "842473000111", "alias": "842473000111"},
        "to": [{"type": "external", "number": "84912345678", "alias": "842473000111"}],
        "answer_url": tenant_a.answer_url,
    }
    assert tenant_a.answer_url.startswith("https://portal.example.com/answer_url/")


def test_a_call_to_an_app_user_then_connected_to_a_phone_carries_inline_actions(
    client, tenant_a, placed_at_once
):
    body = {"from": "+842473000111", "to": "agent_a", "connect_to": "0912345678", "custom": "t-42"}
    assert post(client, tenant_a, body).status_code == 201
    sent = placed_at_once.callouts()[0].body
    assert sent["to"] == [{"type": "internal", "number": "agent_a", "alias": "842473000111"}]
    assert sent["actions"] == [
        {
            "action": "connect",
            "from": {"type": "external", "number": "842473000111", "alias": "842473000111"},
            "to": {"type": "external", "number": "84912345678", "alias": "842473000111"},
            "customData": "t-42",
        }
    ]
    assert sent["custom"] == "t-42"
    assert "answer_url" not in sent


def test_while_the_worker_has_not_answered_the_caller_gets_202_and_where_to_look(
    client, tenant_a, tenants_on_stringee, on_commit_at_once, settings
):
    settings.STRINGEE_CALLOUT_WAIT = 0  # the database queue: no worker runs in the test
    response = post(client, tenant_a, {"from": "+842473000111", "to": "0912345678"})
    assert response.status_code == 202
    answer = response.json()
    assert answer["state"] == "pending"
    assert answer["url"].endswith(f"/api/v1/callouts/{answer['id']}/")
    again = client.get(answer["url"], headers=jwt_headers(tenant_a))
    assert again.json()["state"] == "pending"
    assert tenants_on_stringee.callouts() == []


@pytest.mark.parametrize(
    ("failure", "reason"),
    [
        ([401], "refused the project's API key"),
        ([429, 429, 429], "busy"),
        ([503, 503, 503], "busy"),
        ([500, 500, 500], "failed on its side"),
    ],
)
def test_stringee_failing_is_a_clear_502_and_the_callout_stays_failed_with_its_reason(
    client, tenant_a, placed_at_once, failure, reason
):
    placed_at_once.fail_with.extend(failure)
    response = post(client, tenant_a, {"from": "+842473000111", "to": "0912345678"})
    assert response.status_code == 502
    assert response.json()["error"] == "callout_failed"
    assert reason in response.json()["detail"]
    callout = Callout.objects.get()
    assert callout.state == CalloutState.FAILED
    assert len(placed_at_once.callouts()) == 1  # tried once: a retry could ring twice


def test_a_token_signed_with_the_account_key_is_not_what_stringee_takes_for_callouts(
    client, tenant_a, placed_at_once
):
    placed_at_once.project_keys.clear()
    placed_at_once.knows_project(tenant_a.api_key_sid, ACCOUNT_KEY)  # not the project's secret
    response = post(client, tenant_a, {"from": "+842473000111", "to": "0912345678"})
    assert response.status_code == 502
    assert Callout.objects.get().error == "bad_project_key"


def test_stringee_not_answering_in_time_fails_the_callout_without_a_500(
    client, tenant_a, placed_at_once, settings
):
    settings.STRINGEE_READ_TIMEOUT = 0.2
    placed_at_once.delay = 0.5
    response = post(client, tenant_a, {"from": "+842473000111", "to": "0912345678"})
    assert response.status_code == 502
    assert "did not answer in time" in response.json()["detail"]


def test_a_premium_rate_number_is_refused_with_the_words_used_elsewhere(
    client, tenant_a, placed_at_once
):
    response = post(client, tenant_a, {"from": "+842473000111", "to": "+44 909 879 0000"})
    assert response.status_code == 400
    assert "premium-rate" in response.json()["fields"]["to"][0]
    assert "may not send calls there" in response.json()["fields"]["to"][0]
    assert Callout.objects.count() == 0
    assert placed_at_once.callouts() == []


def test_past_the_hourly_ceiling_no_call_is_asked(client, tenant_a, placed_at_once):
    tenant_a.external_calls_per_hour = 1
    tenant_a.save()
    assert post(client, tenant_a, {"from": "+842473000111", "to": "0912345678"}).status_code == 201
    response = post(client, tenant_a, {"from": "+842473000111", "to": "0912345679"})
    assert response.status_code == 429
    assert response.json()["error"] == "ceiling_reached"
    assert len(placed_at_once.callouts()) == 1


def test_another_tenants_number_cannot_be_the_caller(client, tenant_a, placed_at_once):
    response = post(client, tenant_a, {"from": "+842873000222", "to": "0912345678"})
    assert response.status_code == 400
    assert response.json()["fields"]["from"] == ["Not one of this project's numbers."]
    assert placed_at_once.callouts() == []


def test_another_tenants_app_user_cannot_be_called(client, tenant_a, placed_at_once):
    response = post(client, tenant_a, {"from": "+842473000111", "to": "agent_b"})
    assert response.status_code == 400
    assert "neither a phone number nor an active app user" in response.json()["fields"]["to"][0]
    assert placed_at_once.callouts() == []


def test_another_tenants_callouts_are_invisible(client, tenant_a, tenant_b, placed_at_once):
    post(client, tenant_a, {"from": "+842473000111", "to": "0912345678"})
    callout = Callout.objects.get()
    assert client.get(f"{URL}{callout.pk}/", headers=jwt_headers(tenant_b)).status_code == 404
    assert client.get(URL, headers=jwt_headers(tenant_b)).json()["results"] == []
    mine = client.get(URL, headers=jwt_headers(tenant_a)).json()["results"]
    assert [row["id"] for row in mine] == [callout.pk]


def test_without_a_stringee_account_the_caller_is_told_so(client, tenant_a, settings):
    settings.STRINGEE_ACCOUNT_SID = ""
    VirtualNumberFactory(project=tenant_a, number="+842473000111")
    response = post(client, tenant_a, {"from": "+842473000111", "to": "0912345678"})
    assert response.status_code == 409
    assert response.json()["error"] == "stringee_not_connected"
    assert "STRINGEE_ACCOUNT_SID" in response.json()["detail"]
    assert Callout.objects.count() == 0


def test_who_asked_is_kept_in_the_change_history(client, tenant_a, placed_at_once):
    from portal.models import AuditEntry

    post(client, tenant_a, {"from": "+842473000111", "to": "0912345678"})
    callout = Callout.objects.get()
    entry = AuditEntry.objects.get_for_object(callout).get()
    assert entry.project_id == tenant_a.pk
    assert entry.caller == f"Stringee API key {tenant_a.api_key_sid}"
    assert entry.changes_dict["to_address"] == ["None", "+84912345678"]
    assert callout.requested_by == f"Stringee API key {tenant_a.api_key_sid}"
