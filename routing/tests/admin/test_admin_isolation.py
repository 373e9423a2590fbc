"""Tenant staff see only their own project's rules, menus and routing errors, dropdowns included."""

import pytest

from portal.tests.factories import AppUserFactory, VirtualNumberFactory
from routing.models import RoutingErrorLog
from routing.tests.factories import IvrMenuFactory, RoutingRuleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_tenants(tenant_a, tenant_b):
    return {
        "a_rule": RoutingRuleFactory(project=tenant_a, name="rule_of_a"),
        "b_rule": RoutingRuleFactory(project=tenant_b, name="rule_of_b"),
        "a_menu": IvrMenuFactory(project=tenant_a, name="menu_of_a"),
        "b_menu": IvrMenuFactory(project=tenant_b, name="menu_of_b"),
        "a_log": RoutingErrorLog.objects.create(project=tenant_a, call_id="call_of_a", error="x"),
        "b_log": RoutingErrorLog.objects.create(project=tenant_b, call_id="call_of_b", error="y"),
        "a_number": VirtualNumberFactory(project=tenant_a, number="+84899100001"),
        "b_number": VirtualNumberFactory(project=tenant_b, number="+84899200002"),
        "a_user": AppUserFactory(project=tenant_a, user_id="alice_of_a"),
        "b_user": AppUserFactory(project=tenant_b, user_id="bob_of_b"),
    }


@pytest.mark.parametrize(
    "page, mine, theirs",
    [
        ("routingrule", "rule_of_a", "rule_of_b"),
        ("ivrmenu", "menu_of_a", "menu_of_b"),
        ("routingerrorlog", "call_of_a", "call_of_b"),
    ],
)
def test_list_pages_show_only_own_rows(staff_client_for, tenant_a, two_tenants, page, mine, theirs):
    html = staff_client_for(tenant_a).get(f"/admin/routing/{page}/").content.decode()
    assert mine in html
    assert theirs not in html


@pytest.mark.parametrize("kind", ["b_rule", "b_menu", "b_log"])
def test_other_tenants_pages_do_not_open(staff_client_for, tenant_a, two_tenants, kind):
    obj = two_tenants[kind]
    response = staff_client_for(tenant_a).get(
        f"/admin/routing/{obj._meta.model_name}/{obj.pk}/change/"
    )
    assert response.status_code in (302, 404)


@pytest.mark.parametrize("page", ["routingrule", "ivrmenu"])
def test_add_form_choices_offer_only_own_numbers_users_and_menus(
    staff_client_for, tenant_a, two_tenants, page
):
    """Projects are a dropdown; numbers, app users and menus are searched (autocomplete)."""
    client = staff_client_for(tenant_a)
    html = client.get(f"/admin/routing/{page}/add/").content.decode()
    assert "Tenant A" in html
    for theirs in ("+84899200002", "bob_of_b", "menu_of_b", "Tenant B"):
        assert theirs not in html
    offered = []
    for field in ("destination_user", "destination_menu") + (
        ("called_number",) if page == "routingrule" else ()
    ):
        params = {"app_label": "routing", "model_name": page, "field_name": field, "term": ""}
        offered += [
            row["text"] for row in client.get("/admin/autocomplete/", params).json()["results"]
        ]
    assert {"alice_of_a", "menu_of_a"} <= set(offered)
    assert not {"+84899200002", "bob_of_b", "menu_of_b"} & set(offered)


def test_error_log_is_read_only(staff_client_for, tenant_a, two_tenants):
    client = staff_client_for(tenant_a)
    log = two_tenants["a_log"]
    assert client.get("/admin/routing/routingerrorlog/add/").status_code == 403
    page = client.get(f"/admin/routing/routingerrorlog/{log.pk}/change/")
    assert page.status_code == 200
    assert 'name="error"' not in page.content.decode()
    client.post(f"/admin/routing/routingerrorlog/{log.pk}/change/", {"error": "edited"})
    log.refresh_from_db()
    assert log.error == "x"


def test_staff_cannot_point_a_rule_at_another_tenants_user_by_posting_its_id(
    staff_client_for, tenant_a, two_tenants
):
    rule = two_tenants["a_rule"]
    client = staff_client_for(tenant_a)
    client.post(
        f"/admin/routing/routingrule/{rule.pk}/change/",
        {
            "project": tenant_a.pk,
            "name": "rule_of_a",
            "priority": 1,
            "enabled": "on",
            "direction": "any",
            "called_kind": "any",
            "destination_kind": "user",
            "destination_user": two_tenants["b_user"].pk,
            "record_format": "mp3",
            "on_fail_kind": "message",
            "peer_to_peer_call": "unknown",
        },
    )
    rule.refresh_from_db()
    assert rule.destination_user_id is None
