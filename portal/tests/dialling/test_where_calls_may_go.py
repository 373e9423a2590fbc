"""Where a project's calls may go (the toll-fraud guard): by default its own country's mobile and
fixed lines. Every place a destination is set refuses a premium-rate or foreign number, naming
it, its country and kind; a superuser's allowance lets it through; each refusal is in the change
history. At answer time a table compiled before a narrowing no longer sends calls there, and the
hourly ceiling of calls to phone numbers holds."""

import pytest
from django.contrib.auth import get_user_model

from portal.api.authentication import make_rest_token
from portal.dialling import DialPolicy, NumberKind, place
from portal.models import AllowedDestination, AuditEntry, Membership, dial_policy
from portal.tests.factories import AppUserFactory, VirtualNumberFactory
from routing.models import RoutingErrorLog, RoutingRule
from routing.tests.helpers import answer
from routing.tests.masking_helpers import add_pool

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_at_once")]

VN_MOBILE = "+84909000111"
VN_TOLL_FREE = "+8418001234"
GB_MOBILE = "+447400123456"
GB_PREMIUM = "+449098790000"
CALLED = "+84899100001"


@pytest.fixture
def number(tenant_a):
    return VirtualNumberFactory(project=tenant_a, number=CALLED)


@pytest.fixture
def api(client, tenant_a):
    def call(method, url, body=None):
        return getattr(client, method)(
            url,
            data=body,
            content_type="application/json",
            HTTP_X_STRINGEE_AUTH=make_rest_token(tenant_a),
        )

    return call


def allow(project, country: str, *kinds: str) -> None:
    AllowedDestination.objects.update_or_create(
        project=project, country=country, defaults={"kinds": list(kinds)}
    )


def phone_rule(number, destination: str) -> dict:
    return {
        "name": "Forward",
        "priority": 1,
        "called_kind": "number",
        "called_number": number.pk,
        "destination_kind": "phone",
        "destination_number": destination,
    }


# -- the policy ------------------------------------------------------------------------------


def test_numbers_are_placed_by_country_and_kind():
    assert place(VN_MOBILE) == place(VN_MOBILE)
    assert (place(VN_MOBILE).country, place(VN_MOBILE).kinds) == ("VN", ("mobile",))
    assert (place(GB_PREMIUM).country, place(GB_PREMIUM).kinds) == ("GB", ("premium_rate",))
    assert place(VN_TOLL_FREE).kinds == ("toll_free",)
    assert place("+99912345").country == ""  # no country: refused everywhere


def test_by_default_a_project_may_call_its_own_countrys_mobile_and_fixed_lines(tenant_a):
    policy = dial_policy(tenant_a.pk)
    assert policy.permits(VN_MOBILE) and policy.permits("+842838123456")
    assert not policy.permits(VN_TOLL_FREE)
    assert not policy.permits(GB_MOBILE) and not policy.permits(GB_PREMIUM)


def test_a_refusal_names_the_number_its_country_and_kind_and_how_to_allow_it():
    reason = DialPolicy({"VN": frozenset({NumberKind.MOBILE})}).refusal(GB_PREMIUM)
    assert "premium-rate" in reason and "United Kingdom" in reason
    assert "+44 909 879 0000 is a premium-rate number" in reason
    assert "superuser can allow" in reason


# -- refused wherever it is saved ---------------------------------------------------------------


DESTINATIONS = {"foreign mobile": GB_MOBILE, "premium-rate": GB_PREMIUM}


@pytest.mark.parametrize("kind", DESTINATIONS)
def test_a_rule_through_the_api_is_refused_then_accepted_once_allowed(api, tenant_a, number, kind):
    destination = DESTINATIONS[kind]
    refused = api("post", "/api/v1/rules/", phone_rule(number, destination))
    assert refused.status_code == 400
    assert "United Kingdom" in str(refused.json()["fields"]["destination_number"])
    entry = AuditEntry.objects.filter(
        project=tenant_a, additional_data__event="refused_destination"
    )
    assert entry.count() == 1
    allow(tenant_a, "GB", place(destination).kinds[0])
    assert api("post", "/api/v1/rules/", phone_rule(number, destination)).status_code == 201


def test_an_on_fail_forward_is_refused(api, number):
    body = {
        **phone_rule(number, VN_MOBILE),
        "continue_on_fail": True,
        "on_fail_kind": "phone",
        "on_fail_number": GB_PREMIUM,
    }
    refused = api("post", "/api/v1/rules/", body)
    assert refused.status_code == 400 and "on_fail_number" in refused.json()["fields"]


def test_an_ivr_key_is_refused(api):
    body = {
        "name": "Main",
        "greeting_text": "Hello",
        "options": [{"digit": "1", "destination_kind": "phone", "destination_number": GB_PREMIUM}],
    }
    refused = api("post", "/api/v1/ivr-menus/", body)
    assert refused.status_code == 400
    assert "premium-rate" in str(refused.json())


def test_a_ring_group_member_is_refused(api):
    body = {"name": "Sales", "members": [{"kind": "phone", "number": GB_MOBILE}]}
    refused = api("post", "/api/v1/ring-groups/", body)
    assert refused.status_code == 400
    assert "United Kingdom" in str(refused.json())


def test_a_masking_party_is_refused(api, tenant_a):
    add_pool(tenant_a, "+84899100070")
    body = {"participant_a": VN_MOBILE, "participant_b": GB_PREMIUM}
    refused = api("post", "/api/v1/masking-sessions/", body)
    assert refused.status_code == 400
    assert "participant_b" in refused.json()["fields"]
    allow(tenant_a, "GB", "premium_rate")
    allow(tenant_a, "VN", "mobile")
    assert api("post", "/api/v1/masking-sessions/", body).status_code == 201


def test_the_admin_rule_form_refuses_it_next_to_the_field(staff_client_for, tenant_a, number):
    client = staff_client_for(tenant_a, Membership.Role.OWNER)
    data = {
        "project": tenant_a.pk,
        "name": "Forward",
        "priority": 1,
        "enabled": "on",
        "direction": "any",
        "called_kind": "number",
        "called_number": number.pk,
        "destination_kind": "phone",
        "destination_number": GB_PREMIUM,
        "record_format": "mp3",
        "on_fail_kind": "message",
        "peer_to_peer_call": "unknown",
    }
    page = client.post("/admin/routing/routingrule/add/", data).content.decode()
    assert "premium-rate" in page and "United Kingdom" in page
    assert not RoutingRule.objects.exists()


def test_only_superusers_change_where_calls_may_go(staff_client_for, tenant_a, admin_client):
    allow(tenant_a, "VN", "mobile")
    owner = staff_client_for(tenant_a, Membership.Role.OWNER)
    page = owner.get(f"/admin/portal/project/{tenant_a.pk}/change/").content.decode()
    assert "Where calls may go" in page and "Vietnam" in page
    assert 'name="allowed_destinations-0-country"' not in page  # read-only for owners
    page = admin_client.get(f"/admin/portal/project/{tenant_a.pk}/change/").content.decode()
    assert 'name="allowed_destinations-0-country"' in page


# -- refused again when the call is routed ------------------------------------------------------


def test_a_table_compiled_before_a_narrowing_no_longer_sends_calls_there(client, tenant_a, number):
    allow(tenant_a, "GB", "mobile")
    allow(tenant_a, "VN", "mobile", "fixed")
    RoutingRule.objects.create(**_rule_fields(tenant_a, number, GB_MOBILE))
    call = {"from_": "84901234567", "to": CALLED[1:], "fromInternal": "false", "uuid": "u1"}
    first = answer(client, tenant_a, **call).json()
    assert first[0]["action"] == "connect" and first[0]["to"]["number"] == GB_MOBILE[1:]
    AllowedDestination.objects.filter(project=tenant_a, country="GB").delete()  # narrowed
    refused = answer(client, tenant_a, **{**call, "uuid": "u2"}).json()
    assert [action["action"] for action in refused] == ["talk"]  # the project's fallback
    (error,) = RoutingErrorLog.objects.filter(project=tenant_a)
    assert "destination refused" in error.error and "United Kingdom" in error.error


def test_an_app_user_dialling_a_premium_number_is_not_connected(client, tenant_a, number):
    AppUserFactory(project=tenant_a, user_id="agent")
    RoutingRule.objects.create(
        project=tenant_a,
        name="App calls out",
        priority=1,
        direction="app",
        called_kind="any",
        destination_kind="phone",  # blank number: the number the caller dialled
        caller_id=number,
    )
    call = {"from_": "agent", "to": GB_PREMIUM[1:], "fromInternal": "true", "userId": "agent"}
    scco = answer(client, tenant_a, **call).json()
    assert [action["action"] for action in scco] == ["talk"]
    allow(tenant_a, "GB", "premium_rate")
    assert answer(client, tenant_a, **call).json()[0]["action"] == "connect"


def test_past_the_hourly_ceiling_callers_hear_the_fallback_and_the_dashboard_says_so(
    client, tenant_a, number, staff_client_for
):
    tenant_a.external_calls_per_hour = 2
    tenant_a.save()
    RoutingRule.objects.create(**_rule_fields(tenant_a, number, VN_MOBILE))
    actions = [
        answer(
            client, tenant_a, from_="84901234567", to=CALLED[1:], fromInternal="false", uuid=f"u{i}"
        ).json()[0]["action"]
        for i in range(4)
    ]
    assert actions == ["connect", "connect", "talk", "talk"]
    assert "ceiling of 2 calls" in RoutingErrorLog.objects.filter(project=tenant_a).first().error
    owner = staff_client_for(tenant_a, Membership.Role.OWNER)
    dashboard = owner.get("/admin/").content.decode()
    assert 'id="ceiling-alert"' in dashboard and "2 calls were not sent" in dashboard


def _rule_fields(project, number, destination: str) -> dict:
    return {
        "project": project,
        "name": "Forward",
        "priority": 1,
        "called_kind": "number",
        "called_number": number,
        "destination_kind": "phone",
        "destination_number": destination,
    }


def test_a_superuser_s_allowance_is_in_the_change_history(admin_client, tenant_a):
    data = {
        "name": tenant_a.name,
        "is_active": "on",
        "time_zone": tenant_a.time_zone,
        "api_key_sid": tenant_a.api_key_sid,
        "signing_mode": tenant_a.signing_mode,
        "fallback_message": tenant_a.fallback_message,
        "caller_voice": tenant_a.caller_voice,
        "retention_days": tenant_a.retention_days,
        "external_calls_per_hour": "50",
        "allowed_destinations-TOTAL_FORMS": "1",
        "allowed_destinations-INITIAL_FORMS": "0",
        "allowed_destinations-0-country": "GB",
        "allowed_destinations-0-kinds": ["mobile"],
    }
    response = admin_client.post(f"/admin/portal/project/{tenant_a.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert dial_policy(tenant_a.pk).permits(GB_MOBILE)
    tenant_a.refresh_from_db()
    assert tenant_a.external_calls_per_hour == 50
    assert AuditEntry.objects.filter(
        project=tenant_a, content_type__model="alloweddestination"
    ).exists()
    assert get_user_model().objects.filter(is_superuser=True).exists()
