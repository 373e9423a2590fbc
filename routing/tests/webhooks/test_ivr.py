"""IVR menus: digits walk nested menus; invalid or missing keys retry, then fall back."""

import pytest

from routing.tests.helpers import answer, press

pytestmark = pytest.mark.django_db


def start(client, project):
    scco = answer(
        client, project, from_="user_9", to="hotline", fromInternal="true", callId="call-1"
    ).json()
    assert scco[0] == {"action": "talk", "text": "Main menu.", "bargeIn": True}
    return scco[1]["eventUrl"]


def test_digits_walk_into_the_sub_menu_and_out_to_a_phone(client, tenant_a, hotline):
    second = press(client, start(client, tenant_a), "2").json()
    assert second[0]["text"] == "Billing menu."
    final = press(client, second[1]["eventUrl"], "1").json()
    assert final[0]["action"] == "connect"
    assert final[0]["to"] == {"type": "external", "number": "84909000333", "alias": "84909000333"}
    assert final[0]["from"] == {"type": "internal", "number": "user_9", "alias": "user_9"}


def test_key_1_rings_the_agent(client, tenant_a, hotline):
    final = press(client, start(client, tenant_a), "1").json()
    assert final[0]["to"]["number"] == "agent"


def test_invalid_key_retries_then_falls_back(client, tenant_a, hotline):
    url = start(client, tenant_a)
    for attempt in (2, 3):
        retry = press(client, url, "9").json()
        assert retry[0]["text"] == "Wrong key."
        assert f"attempt={attempt}" in retry[2]["eventUrl"]
        url = retry[2]["eventUrl"]
    assert press(client, url, "").json() == [
        {"action": "talk", "text": "Goodbye.", "bargeIn": False}
    ]


def test_no_key_pressed_says_the_menu_again_without_calling_it_a_wrong_key(
    client, tenant_a, hotline
):
    retry = press(client, start(client, tenant_a), "").json()
    assert [action["action"] for action in retry] == ["talk", "input"]
    assert retry[0] == {"action": "talk", "text": "Main menu.", "bargeIn": True}
    assert "attempt=2" in retry[1]["eventUrl"]


def test_digits_field_is_accepted_as_well_as_dtmf(client, tenant_a, hotline):
    path = "/" + start(client, tenant_a).split("://", 1)[1].split("/", 1)[1]
    response = client.post(
        path, '{"call_id": "call-1", "digits": "1"}', content_type="application/json"
    )
    assert response.json()[0]["to"]["number"] == "agent"


def test_menu_callback_with_a_wrong_token_is_refused(client, tenant_a, hotline):
    response = client.post(
        f"/ivr/{tenant_a.stringee_project_id}/wrong/{hotline.pk}/",
        "{}",
        content_type="application/json",
    )
    assert response.status_code == 403
