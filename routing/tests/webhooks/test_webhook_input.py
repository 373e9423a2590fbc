"""Bad input to the answer_url and its callbacks gets the fallback SCCO (logged), never a 500."""

import json

import pytest

from routing.models import RoutingErrorLog
from routing.scco import scco_problems
from routing.tests.helpers import answer
from routing.tests.webhooks.test_ivr import start

pytestmark = pytest.mark.django_db


def _path(event_url: str) -> str:
    return "/" + event_url.split("://", 1)[1].split("/", 1)[1]


def _is_fallback(response, project) -> bool:
    return response.status_code == 200 and response.json() == [
        {"action": "talk", "text": project.fallback_message}
    ]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from_": "1" * 500, "to": "user_2"}, "from"),
        ({"fromInternal": "maybe", "to": "user_2"}, "fromInternal"),
    ],
)
def test_invalid_answer_url_query_gets_the_fallback_and_names_the_field(
    client, tenant_a, params, field
):
    response = answer(client, tenant_a, callId="call-bad", **params)
    assert _is_fallback(response, tenant_a)
    assert f"invalid query: {field}:" in RoutingErrorLog.objects.get(project=tenant_a).error


def test_from_internal_is_read_in_any_case(client, tenant_a):
    response = answer(client, tenant_a, from_="user_1", to="user_2", fromInternal="TRUE")
    assert response.status_code == 200
    assert not RoutingErrorLog.objects.filter(error__startswith="invalid").exists()


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1, 2]",
        json.dumps({"dtmf": {"a": 1}}).encode(),
        json.dumps({"time": "soon"}).encode(),
    ],
)
def test_bad_dtmf_body_gets_the_fallback(client, tenant_a, hotline, body):
    response = client.post(_path(start(client, tenant_a)), body, content_type="application/json")
    assert _is_fallback(response, tenant_a)
    assert "callback body" in RoutingErrorLog.objects.get(project=tenant_a).error


def test_dtmf_post_as_stringee_sends_it_routes_the_key(client, tenant_a, hotline):
    url = start(client, tenant_a)
    body = {
        "time": "1700000000123",
        "dtmf": "1",
        "call_id": "call-1",
        "customField": "",
        "timeout": False,
    }
    response = client.post(_path(url), json.dumps(body), content_type="application/json")
    assert response.json()[0]["to"]["number"] == "agent"


def test_dtmf_post_without_our_query_string_finds_its_call_in_the_custom_field(
    client, tenant_a, hotline
):
    scco = answer(
        client, tenant_a, from_="user_9", to="hotline", fromInternal="true", callId="call-1"
    ).json()
    collect = scco[1]
    assert (
        f"menu={hotline.pk}" in collect["customField"] and "from=user_9" in collect["customField"]
    )
    bare = _path(collect["eventUrl"]).split("?", 1)[0]
    body = {
        "time": "1",
        "dtmf": "1",
        "call_id": "call-1",
        "customField": collect["customField"],
        "timeout": False,
    }
    final = client.post(bare, json.dumps(body), content_type="application/json").json()
    assert final[0]["to"]["number"] == "agent"
    assert final[0]["from"] == {"type": "internal", "number": "user_9", "alias": "user_9"}


def test_custom_field_of_another_menu_is_ignored(client, tenant_a, hotline):
    collect = answer(client, tenant_a, from_="user_9", to="hotline", fromInternal="true").json()[1]
    other = collect["customField"].replace(f"menu={hotline.pk}", "menu=999999")
    bare = _path(collect["eventUrl"]).split("?", 1)[0]
    body = {"dtmf": "1", "customField": other}
    response = client.post(bare, json.dumps(body), content_type="application/json")
    assert _is_fallback(response, tenant_a)  # no caller known: the echo was not this menu's


def test_on_fail_accepts_the_connect_failed_body(client, tenant_a):
    body = {
        "call_status": "connect_failed",
        "project_id": 123,
        "agent_status": "ended",
        "call_id": "call-vn-1-XXXX-1700000000000",
        "start_time": 1700000000000,
        "from": {"type": "external", "number": "84912345678", "alias": "84912345678"},
        "to": {"type": "internal", "number": "agent_7", "alias": "agent_7"},
    }
    base = f"/on_fail/{tenant_a.stringee_project_id}/{tenant_a.webhook_token}"
    url = f"{base}/999/?from=84912345678&to=x"
    response = client.post(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 200 and scco_problems(response.json()) == []
    assert RoutingErrorLog.objects.get().call_id == "call-vn-1-XXXX-1700000000000"


def test_ring_callback_with_a_bad_counter_gets_the_fallback(client, tenant_a):
    url = f"/ring/{tenant_a.stringee_project_id}/{tenant_a.webhook_token}/1/?next=abc"
    response = client.post(url, "", content_type="application/json")
    assert _is_fallback(response, tenant_a)
    assert "invalid query: next:" in RoutingErrorLog.objects.get().error


def test_callbacks_refuse_other_methods_with_json_405(client, tenant_a):
    for name, allowed in (("ivr", "POST"), ("on_fail", "POST"), ("ring", "POST")):
        response = client.get(f"/{name}/{tenant_a.stringee_project_id}/{tenant_a.webhook_token}/1/")
        assert (response.status_code, response["Allow"]) == (405, allowed)
        assert response.json()["error"] == "method_not_allowed"
    options = client.options(
        f"/answer_url/{tenant_a.stringee_project_id}/{tenant_a.webhook_token}/"
    )
    assert (options.status_code, options["Allow"]) == (405, "GET")


def test_answer_url_is_json_whatever_the_client_accepts(client, tenant_a):
    response = answer(client, tenant_a, from_="user_1", to="user_2", fromInternal="true")
    html = client.get(response.request["PATH_INFO"], HTTP_ACCEPT="text/html")
    assert html["Content-Type"] == "application/json"
    assert html.status_code == 200
