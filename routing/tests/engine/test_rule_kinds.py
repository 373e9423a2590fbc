"""Every destination kind and option of a rule yields an SCCO that passes the validator."""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from portal.tests.factories import AppUserFactory, VirtualNumberFactory
from routing.kinds import OnFail
from routing.scco import scco_problems
from routing.services.config import rule_check, rule_save
from routing.tests.factories import IvrMenuFactory, RoutingRuleFactory
from routing.tests.helpers import answer

pytestmark = pytest.mark.django_db


@pytest.fixture
def number(tenant_a):
    return VirtualNumberFactory(project=tenant_a, number="+84899100001")


@pytest.fixture
def alice(tenant_a):
    return AppUserFactory(project=tenant_a, user_id="alice")


KINDS = {
    "user": {"destination_kind": "user"},
    "phone": {"destination_kind": "phone", "destination_number": "+84909000111"},
    "sip trunk": {
        "destination_kind": "sip",
        "destination_sip_trunk": "ST_1",
        "destination_sip_number": "100",
    },
    "menu": {"destination_kind": "menu"},
    "message talk": {
        "destination_kind": "message",
        "message_text": "Closed",
        "message_voice": "hn_female",
    },
    "message play": {
        "destination_kind": "message",
        "message_audio": "https://cdn.example.com/closed.mp3",
    },
    "voicemail": {"destination_kind": "voicemail"},
    "recorded, timed, on-fail voicemail": {
        "destination_kind": "phone",
        "destination_number": "+84909000111",
        "record": True,
        "record_format": "wav",
        "timeout": 20,
        "max_connect_time": 600,
        "custom_data": "vip",
        "continue_on_fail": True,
        "on_fail_kind": "voicemail",
    },
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_rule_kind_answers_a_contract_valid_scco(client, tenant_a, number, alice, kind):
    values = dict(KINDS[kind])
    if values["destination_kind"] == "user":
        values["destination_user"] = alice
    if values["destination_kind"] == "menu":
        values["destination_menu"] = IvrMenuFactory(project=tenant_a)
    rule = RoutingRuleFactory.build(
        project=tenant_a, called_kind="number", called_number=number, **values
    )
    rule_save(rule=rule)
    scco = answer(
        client, tenant_a, from_="84901234567", to="84899100001", fromInternal="false"
    ).json()
    assert scco_problems(scco) == []
    assert scco != [{"action": "talk", "text": tenant_a.fallback_message}]


def test_recorded_rule_records_first_and_relays_media(client, tenant_a, number):
    RoutingRuleFactory(
        project=tenant_a,
        called_kind="number",
        called_number=number,
        record=True,
        destination_kind="phone",
        destination_number="+84909000111",
    )
    scco = answer(
        client,
        tenant_a,
        from_="84901234567",
        to="84899100001",
        fromInternal="false",
        uuid="call-rec-1",
    ).json()
    assert scco[0]["action"] == "record"
    assert scco[0]["eventUrl"].endswith(
        f"/recording_event/{tenant_a.stringee_project_id}/{tenant_a.webhook_token}/?callId=call-rec-1"
    )
    assert scco[1]["peerToPeerCall"] is False


def test_rule_whose_scco_would_be_invalid_cannot_be_saved_and_names_the_field(tenant_a, number):
    rule = RoutingRuleFactory.build(
        project=tenant_a,
        called_kind="number",
        called_number=number,
        record=True,
        peer_to_peer_call=True,
        destination_kind="phone",
        destination_number="+84909000111",
    )
    with pytest.raises(ValidationError) as error:
        rule_check(rule)
    assert "records only calls it relays" in error.value.message_dict["peer_to_peer_call"][0]


def test_dialled_number_destination_is_refused_for_calls_to_an_app_user(tenant_a, alice):
    rule = RoutingRuleFactory.build(
        project=tenant_a, called_kind="user", called_user=alice, destination_kind="phone"
    )
    with pytest.raises(ValidationError) as error:
        rule_check(rule)
    assert "destination_number" in error.value.message_dict


def test_continue_on_fail_points_stringee_at_the_on_fail_callback_which_answers(
    client, tenant_a, number, alice
):
    rule = RoutingRuleFactory(
        project=tenant_a,
        called_kind="number",
        called_number=number,
        destination_user=alice,
        continue_on_fail=True,
        on_fail_kind=OnFail.PHONE,
        on_fail_number="+84909000222",
    )
    connect = answer(
        client, tenant_a, from_="84901234567", to="84899100001", fromInternal="false"
    ).json()[0]
    assert connect["continueOnFail"] is True
    path = connect["onFailEventUrl"].split(settings.PUBLIC_BASE_URL, 1)[1]
    assert f"/{rule.pk}/" in path
    follow = client.post(path, "{}", content_type="application/json").json()
    assert follow[0]["to"] == {"type": "external", "number": "84909000222", "alias": "84909000222"}
