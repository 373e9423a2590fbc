"""Writes of routing configuration cost a bounded number of queries, with ONE routing-table rebuild.

Each test captures the on-commit hooks itself and runs them inside the counted
block, so the figure is what one request really costs: the write, its change-history entries
(one INSERT per changed row for a rule; one INSERT for all the entries of a menu or ring group
written with its rows, portal.audit.batched; plus auditlog's read of the row before an update)
and the rebuild after commit (which reads the project's rows of where calls may go: one SELECT).
An admin save also asks whether the rule is reached, or the menu or group used (one SELECT), and
an admin page reads the device that verified the session (two-factor sign-in: one SELECT).

The budgets are the figures measured, so that a change that adds queries fails here. A menu PUT
replacing nine keys: the caller's project, the menu and its keys, the name's uniqueness,
auditlog's read of the menu, its UPDATE, the old keys read and deleted, the new keys inserted,
the 19 history entries inserted, the keys read back for the answer, and the rebuild (12).
"""

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType

from portal.models import AuditEntry, Membership
from portal.tests.factories import AppUserFactory, MembershipFactory, VirtualNumberFactory
from portal.tests.helpers import jwt_headers
from routing.models import IvrMenu, IvrOption, RingGroup, RoutingRule, RoutingTable
from routing.tests.factories import IvrMenuFactory, RoutingRuleFactory

pytestmark = pytest.mark.django_db

NINE_KEYS = [
    {"digit": digit, "destination_kind": "message", "message_text": f"You pressed {digit}."}
    for digit in "123456789"
]


@pytest.fixture(autouse=True)
def known_content_types():
    """The content types of every model known to the process, as in a server that has served a
    request (the history entries name them): a figure does not depend on which test ran first."""
    ContentType.objects.get_for_models(*apps.get_models())


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


def menu_with_nine_old_keys(project):
    menu = IvrMenuFactory(project=project)
    IvrOption.objects.bulk_create(
        IvrOption(menu=menu, digit=digit, destination_kind="message", message_text="Old.")
        for digit in "123456789"
    )
    return menu


@pytest.mark.parametrize("method", ["put", "patch"])
def test_api_ivr_menu_replacing_nine_keys_costs_at_most_23_queries(
    client, tenant_a, tenant_b, counted, method
):
    menu = menu_with_nine_old_keys(tenant_a)
    other = menu_with_nine_old_keys(tenant_b)
    body = {"name": menu.name, "greeting_text": "Press a key.", "options": NINE_KEYS}
    before = rebuilt_at(tenant_a)
    with counted(23):
        response = getattr(client, method)(
            f"/api/v1/ivr-menus/{menu.pk}/",
            body,
            content_type="application/json",
            headers=jwt_headers(tenant_a),
        )
    assert response.status_code == 200, response.json()
    options = response.json()["options"]
    assert sorted(option["digit"] for option in options) == list("123456789")
    assert {option["message_text"] for option in options} == {
        f"You pressed {d}." for d in "123456789"
    }
    assert rebuilt_at(tenant_a) != before  # the answer_url sees the new keys
    # The change history has every row: the menu changed, nine keys gone, nine new, all named
    # with the API key that made them and the caller's project.
    entries = AuditEntry.objects.filter(project=tenant_a, caller__contains=tenant_a.api_key_sid)
    actions = sorted(entries.values_list("action", flat=True))
    assert actions == sorted(
        [AuditEntry.Action.UPDATE] + [AuditEntry.Action.DELETE] * 9 + [AuditEntry.Action.CREATE] * 9
    )
    assert set(other.options.values_list("message_text", flat=True)) == {"Old."}


def test_api_ivr_menu_of_another_tenant_is_not_found_and_writes_nothing(client, tenant_a, tenant_b):
    other = menu_with_nine_old_keys(tenant_b)
    body = {"name": other.name, "greeting_text": "Press a key.", "options": NINE_KEYS}
    response = client.put(
        f"/api/v1/ivr-menus/{other.pk}/",
        body,
        content_type="application/json",
        headers=jwt_headers(tenant_a),
    )
    assert response.status_code == 404
    assert set(other.options.values_list("message_text", flat=True)) == {"Old."}
    assert not AuditEntry.objects.filter(caller__contains=tenant_a.api_key_sid).exists()


def test_api_ivr_menu_with_a_bad_key_is_refused_whole_and_records_nothing(
    client, tenant_a, counted
):
    menu = menu_with_nine_old_keys(tenant_a)
    keys = [*NINE_KEYS[:8], {"digit": "9", "destination_kind": "user"}]  # which app user?
    response = client.put(
        f"/api/v1/ivr-menus/{menu.pk}/",
        {"name": menu.name, "greeting_text": "Press a key.", "options": keys},
        content_type="application/json",
        headers=jwt_headers(tenant_a),
    )
    assert response.status_code == 400
    assert "Key 9" in str(response.json())
    assert set(menu.options.values_list("message_text", flat=True)) == {"Old."}
    assert not AuditEntry.objects.filter(caller__contains=tenant_a.api_key_sid).exists()


def test_api_rule_save_costs_at_most_15_queries(client, tenant_a, counted):
    number = VirtualNumberFactory(project=tenant_a)
    body = {
        "name": "Hotline",
        "called_kind": "number",
        "called_number": number.pk,
        "destination_kind": "message",
    }
    with counted(15):
        response = client.post(
            "/api/v1/rules/", body, content_type="application/json", headers=jwt_headers(tenant_a)
        )
    assert response.status_code == 201, response.json()
    assert RoutingRule.objects.filter(project=tenant_a, name="Hotline").exists()


def test_api_ring_group_with_three_members_costs_at_most_22_queries(client, tenant_a, counted):
    users = [AppUserFactory(project=tenant_a) for _ in range(3)]
    body = {
        "name": "Support",
        "members": [{"kind": "user", "user": user.pk, "timeout": 15} for user in users],
    }
    with counted(22):
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


def test_admin_ivr_menu_with_nine_keys_costs_at_most_28_queries(owner_client, tenant_a, counted):
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
    with counted(28):
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


def test_admin_ring_group_with_three_members_costs_at_most_34_queries(
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
    with counted(34):
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
