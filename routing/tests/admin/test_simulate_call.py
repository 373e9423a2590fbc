"""Simulate a call: tenant staff see why each rule (did not) match and the exact SCCO; nothing
changes."""

import pytest
from django.core.cache import cache

from portal.api.authentication import make_rest_token
from portal.models import Membership
from portal.tests.factories import AppUserFactory, VirtualNumberFactory
from routing.models import RingGroup, RingGroupMember, RoutingErrorLog
from routing.state import pointer_key
from routing.tests.factories import RoutingRuleFactory
from routing.tests.helpers import answer

pytestmark = pytest.mark.django_db
CALL = {"from_": "0901234567", "to": "84899100001", "direction": "phone", "at": "2026-11-23 09:00"}


@pytest.fixture
def hotline(tenant_a):
    number = VirtualNumberFactory(project=tenant_a, number="+84899100001")
    group = RingGroup.objects.create(
        project=tenant_a, name="Desk", strategy="round_robin", destination_kind="message"
    )
    for position in range(2):
        user = AppUserFactory(project=tenant_a, user_id=f"desk_{position}")
        RingGroupMember.objects.create(group=group, position=position, kind="user", user=user)
    RoutingRuleFactory(
        project=tenant_a,
        name="VIP callers",
        priority=1,
        caller_pattern="8491",
        destination_kind="message",
    )
    RoutingRuleFactory(
        project=tenant_a,
        name="Hotline to desk",
        priority=2,
        called_kind="number",
        called_number=number,
        destination_kind="group",
        destination_group=group,
    )
    return group


def simulate(client, project, **values):
    return client.post(
        f"/admin/routing/routingrule/simulate/{project.stringee_project_id}/", {**CALL, **values}
    )


def test_staff_see_the_matched_rule_why_earlier_ones_failed_and_the_scco(
    staff_client_for, tenant_a, hotline
):
    html = simulate(staff_client_for(tenant_a, Membership.Role.VIEWER), tenant_a).content.decode()
    assert '<strong id="matched-rule">Hotline to desk</strong>' in html
    assert "the caller 84901234567 does not match 8491" in html
    assert "<td>passed over</td>" in html and "<td>chosen</td>" in html
    assert "<li>Connects to app user desk_0" in html  # what happens, in words
    assert "&quot;number&quot;: &quot;desk_0&quot;" in html  # the SCCO, folded away
    assert "Stringee would refuse" not in html and "A call from a phone" in html


def test_the_simulate_page_speaks_vietnamese(staff_client_for, tenant_a, hotline):
    client = staff_client_for(tenant_a, Membership.Role.VIEWER)
    client.cookies["django_language"] = "vi"
    html = simulate(client, tenant_a).content.decode()
    for english in ("passed over", "chosen", "Kind of call", "What happens", "does not match"):
        assert english not in html, english
    assert "người gọi 84901234567 không khớp 8491" in html


def test_simulation_moves_no_pointer_logs_nothing_and_parks_no_decision(
    staff_client_for, tenant_a, hotline
):
    client = staff_client_for(tenant_a)
    for _ in range(3):
        assert "desk_0" in simulate(client, tenant_a).content.decode()
    simulate(client, tenant_a, to="84899999999")  # matches nothing: the fallback
    assert cache.get(pointer_key(hotline.pk)) is None
    assert not RoutingErrorLog.objects.exists()
    assert cache.get(f"routing-decision:{tenant_a.pk}:") is None


def test_simulation_shows_where_the_round_robin_pointer_now_stands(
    staff_client_for, client, tenant_a, hotline
):
    answer(
        client, tenant_a, from_="84901234567", to="84899100001", fromInternal="false"
    )  # a real call
    html = simulate(staff_client_for(tenant_a), tenant_a).content.decode()
    assert "&quot;number&quot;: &quot;desk_1&quot;" in html
    assert cache.get(pointer_key(hotline.pk)) == 1


def test_other_tenants_staff_get_404(staff_client_for, tenant_a, tenant_b, hotline):
    client = staff_client_for(tenant_b)
    assert (
        client.get(
            f"/admin/routing/routingrule/simulate/{tenant_a.stringee_project_id}/"
        ).status_code
        == 404
    )
    assert simulate(client, tenant_a).status_code == 404


def test_rules_page_links_to_the_simulation(staff_client_for, tenant_a, hotline):
    client = staff_client_for(tenant_a)
    assert (
        "/admin/routing/routingrule/simulate/"
        in client.get("/admin/routing/routingrule/").content.decode()
    )
    assert client.get("/admin/routing/routingrule/simulate/").url.endswith(
        f"/simulate/{tenant_a.stringee_project_id}/"
    )


def test_api_simulation_explains_rule_by_rule(client, tenant_a, hotline):
    response = client.post(
        "/api/v1/simulate/",
        {
            "from": "84901234567",
            "to": "84899100001",
            "direction": "phone",
            "at": "2026-11-23T09:00:00",
        },
        content_type="application/json",
        HTTP_X_STRINGEE_AUTH=make_rest_token(tenant_a),
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["matched_rule"]["name"] == "Hotline to desk"
    assert [rule["outcome"] for rule in body["rules"]] == ["skipped", "matched"]
    assert body["scco_valid"] is True
    assert body["scco"][0]["to"]["number"] == "desk_0"
    assert cache.get(pointer_key(hotline.pk)) is None


def test_staff_see_what_a_key_pressed_in_the_menu_does(staff_client_for, tenant_a, hotline):
    from routing.models import IvrMenu, IvrOption

    menu = IvrMenu.objects.create(project=tenant_a, name="Front desk", greeting_text="Press 1.")
    IvrOption.objects.create(
        menu=menu, digit="1", destination_kind="group", destination_group=hotline
    )
    RoutingRuleFactory(
        project=tenant_a,
        name="Menu first",
        priority=0,
        called_kind="any",
        destination_kind="menu",
        destination_menu=menu,
    )
    client = staff_client_for(tenant_a, Membership.Role.VIEWER)
    html = simulate(client, tenant_a, key="1").content.decode()
    assert "Then the caller presses 1 in the menu “Front desk”:" in html
    assert '<strong id="pressed-where">Ring group Desk</strong>' in html
    assert "<li>Connects to app user desk_" in html.split('id="pressed-steps"')[1]
    html = simulate(client, tenant_a, key="7").content.decode()
    assert '<strong id="pressed-where">not a key of this menu</strong>' in html


def test_a_key_for_a_call_that_reaches_no_menu_is_explained(staff_client_for, tenant_a, hotline):
    html = simulate(staff_client_for(tenant_a), tenant_a, key="1").content.decode()
    assert "This call does not reach an IVR menu, so no key is pressed." in html
