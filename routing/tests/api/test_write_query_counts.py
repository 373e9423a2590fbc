"""Writes of routing configuration cost a bounded number of queries, with ONE routing-table rebuild.

Each test captures the on-commit hooks itself and runs them inside the counted
block, so the figure is what one request really costs: the write, its change-history entries
(one INSERT per changed row, plus auditlog's read of the row before an update) and the rebuild
after commit (which reads the project's rows of where calls may go: one SELECT). An admin save
also asks whether the rule is reached, or the menu or group used (one SELECT), and an admin page
reads the device that verified the session (two-factor sign-in: one SELECT).
"""

import pytest

from portal.models import Membership
from portal.tests.factories import AppUserFactory, MembershipFactory, VirtualNumberFactory
from portal.tests.helpers import jwt_headers
from routing.models import IvrMenu, RingGroup, RoutingRule, RoutingTable
from routing.tests.factories import IvrMenuFactory, RoutingRuleFactory

pytestmark = pytest.mark.django_db

NINE_KEYS = [
    {"digit": digit, "destination_kind": "message", "message_text": f"You pressed {digit}."}
    for digit in "123456789"
]


@pytest.fixture
def counted(django_assert_max_num_queries, django_capture_on_commit_callbacks):
    """`with counted(n):` — at most n queries, on-commit hooks included; returns the hooks run."""

    class Counted:
        def __init__(self, limit):
            self.limit = limit

        def __enter__(self):
            self.queries = django_assert_max_num_queries(self.limit)
            self.queries.__enter__()
            self.hooks = django_capture_on_commit_callbacks(execute=True)
            self.callbacks = self.hooks.__enter__()
            return self.callbacks

        def __exit__(self, *exc):
            self.hooks.__exit__(*exc)
            return self.queries.__exit__(*exc)

    return Counted


def rebuilt_at(project):
    return RoutingTable.objects.filter(project=project).values_list("built_at", flat=True).first()


def test_api_ivr_menu_with_nine_keys_costs_at_most_32_queries(client, tenant_a, counted):
    menu = IvrMenuFactory(project=tenant_a)
    body = {"name": menu.name, "greeting_text": "Press a key.", "options": NINE_KEYS}
    before = rebuilt_at(tenant_a)
    with counted(32):
        response = client.put(
            f"/api/v1/ivr-menus/{menu.pk}/",
            body,
            content_type="application/json",
            headers=jwt_headers(tenant_a),
        )
    assert response.status_code == 200, response.json()
    assert sorted(option["digit"] for option in response.json()["options"]) == list("123456789")
    assert rebuilt_at(tenant_a) != before  # the answer_url sees the new keys


def test_api_rule_save_costs_at_most_16_queries(client, tenant_a, counted):
    number = VirtualNumberFactory(project=tenant_a)
    body = {
        "name": "Hotline",
        "called_kind": "number",
        "called_number": number.pk,
        "destination_kind": "message",
    }
    with counted(16):
        response = client.post(
            "/api/v1/rules/", body, content_type="application/json", headers=jwt_headers(tenant_a)
        )
    assert response.status_code == 201, response.json()
    assert RoutingRule.objects.filter(project=tenant_a, name="Hotline").exists()


def test_api_ring_group_with_three_members_costs_at_most_27_queries(client, tenant_a, counted):
    users = [AppUserFactory(project=tenant_a) for _ in range(3)]
    body = {
        "name": "Support",
        "members": [{"kind": "user", "user": user.pk, "timeout": 15} for user in users],
    }
    with counted(27):
        response = client.post(
            "/api/v1/ring-groups/",
            body,
            content_type="application/json",
            headers=jwt_headers(tenant_a),
        )
    assert response.status_code == 201, response.json()
    assert RingGroup.objects.get(project=tenant_a).members.count() == 3


def test_api_number_purchase_costs_at_most_15_queries(client, tenant_a, counted):
    stock = VirtualNumberFactory(project=None, status="available", number="+84899555001")
    with counted(15):
        response = client.post(
            "/api/v1/numbers/purchase/",
            {"number": "0899555001"},
            content_type="application/json",
            headers=jwt_headers(tenant_a),
        )
    assert response.status_code == 201, response.json()
    stock.refresh_from_db()
    assert stock.project == tenant_a


@pytest.fixture
def owner_client(client, tenant_a):
    membership = MembershipFactory(project=tenant_a, role=Membership.Role.OWNER)
    membership.user.is_staff = True
    membership.user.save()
    client.force_login(membership.user)
    client.get("/admin/routing/")  # a session's first page remembers the staff member's time zone
    return client


def inline_rows(prefix: str, rows: list[dict], initial: int = 0) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{name}": value for name, value in row.items()})
    return data


def test_admin_ivr_menu_with_nine_keys_costs_at_most_37_queries(owner_client, tenant_a, counted):
    form = {
        "project": tenant_a.pk,
        "name": "Front desk",
        "greeting_text": "Press a key.",
        "timeout": 10,
        "max_retries": 2,
        "invalid_message": "Sorry.",
        "destination_kind": "message",
        **inline_rows("options", NINE_KEYS),
    }
    with counted(37):
        response = owner_client.post("/admin/routing/ivrmenu/add/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert IvrMenu.objects.get(name="Front desk").options.count() == 9


def test_admin_rule_save_costs_at_most_25_queries(owner_client, tenant_a, counted):
    rule = RoutingRuleFactory(project=tenant_a, destination_kind="message")
    form = {
        "project": tenant_a.pk,
        "name": "Renamed",
        "priority": 5,
        "enabled": "on",
        "direction": "any",
        "called_kind": "any",
        "business_hours": "any",
        "destination_kind": "message",
        "record_format": "mp3",
        "on_fail_kind": "message",
    }
    with counted(25):
        response = owner_client.post(f"/admin/routing/routingrule/{rule.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    rule.refresh_from_db()
    assert rule.name == "Renamed"


def test_admin_ring_group_with_three_members_costs_at_most_37_queries(
    owner_client, tenant_a, counted
):
    users = [AppUserFactory(project=tenant_a) for _ in range(3)]
    rows = [
        {"position": i, "kind": "user", "user": user.pk, "timeout": 15}
        for i, user in enumerate(users)
    ]
    form = {
        "project": tenant_a.pk,
        "name": "Support",
        "strategy": "sequential",
        "destination_kind": "voicemail",
        **inline_rows("members", rows),
    }
    with counted(37):
        response = owner_client.post("/admin/routing/ringgroup/add/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert RingGroup.objects.get(name="Support").members.count() == 3


def test_admin_assigning_a_number_costs_at_most_26_queries(admin_client, tenant_a, counted):
    stock = VirtualNumberFactory(project=None, status="available", number="+84899555002")
    form = {
        "action": "assign_to_project",
        "_selected_action": [stock.pk],
        "apply": "1",
        "project": tenant_a.pk,
    }
    with counted(26):
        response = admin_client.post("/admin/portal/virtualnumber/", form)
    assert response.status_code == 302
    stock.refresh_from_db()
    assert stock.project == tenant_a
