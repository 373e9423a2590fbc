"""Change history: every write of a tenant's settings is recorded with who, when, from where and
what changed, and each tenant reads only its own entries (page and CSV alike)."""

from datetime import timedelta
from io import StringIO
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal import services
from portal.audit import changed_fields, name_related_rows
from portal.models import AppUser, AuditEntry, Membership, Project, VirtualNumber
from portal.tests.factories import AppUserFactory, MembershipFactory, VirtualNumberFactory
from portal.tests.helpers import exported_csv, jwt_headers, project_page_form
from routing.tests.factories import IvrMenuFactory, RoutingRuleFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("on_commit_at_once", "background_jobs_at_once"),
]

HISTORY = "/admin/portal/auditentry/"
EXPORT = "/admin/portal/auditentry/export/"


def owner_client(project: Project) -> tuple[Client, object]:
    membership = MembershipFactory(project=project, role=Membership.Role.OWNER)
    client = Client()
    client.force_login(membership.user)
    return client, membership.user


def history_of(client: Client) -> str:
    page = client.get(HISTORY)
    assert page.status_code == 200
    return page.content.decode()


def csv_of(client: Client) -> str:
    return exported_csv(client, EXPORT)


def assert_only_tenant_a_sees(text: str, tenant_a: Project, tenant_b: Project) -> None:
    """`text` (an object's name) is in A's owner's history and CSV, in neither of B's."""
    a_client, _ = owner_client(tenant_a)
    b_client, _ = owner_client(tenant_b)
    assert text in history_of(a_client)
    assert text in csv_of(a_client)
    assert text not in history_of(b_client)
    assert text not in csv_of(b_client)


def test_admin_form_save_is_recorded_with_person_address_and_fields(tenant_a, tenant_b):
    client, owner = owner_client(tenant_a)
    response = client.post(
        "/admin/portal/appuser/add/",
        {
            "project": tenant_a.pk,
            "user_id": "agent_lan",
            "display_name": "Lan at the desk",
            "phone_number": "",
            "is_active": "on",
        },
        REMOTE_ADDR="203.0.113.7",
    )
    assert response.status_code == 302, response.content
    user = AppUser.objects.get(user_id="agent_lan")
    entry = AuditEntry.objects.get_for_object(user).get()
    assert (entry.action, entry.actor, entry.project, entry.remote_addr) == (
        AuditEntry.Action.CREATE,
        owner,
        tenant_a,
        "203.0.113.7",
    )
    assert entry.changes_dict["display_name"] == ["None", "Lan at the desk"]
    page = history_of(client)
    assert "Lan at the desk" in page and owner.get_username() in page
    assert "{" not in page.split('id="result_list"')[1].split("</table>")[0]  # no raw JSON
    assert_only_tenant_a_sees("agent_lan", tenant_a, tenant_b)
    # A tick box reads as yes or no, not as a programming language's True.
    assert ("Is active", "—", "yes") in changed_fields(entry)
    assert "True" not in page.split('id="result_list"')[1].split("</table>")[0]


def test_admin_action_release_is_recorded_for_the_releasing_tenant(tenant_a, tenant_b):
    number = VirtualNumberFactory(project=tenant_a, number="+84901110001")
    client, owner = owner_client(tenant_a)
    client.post(
        "/admin/portal/virtualnumber/",
        {"action": "release_numbers", "_selected_action": [number.pk], "apply": "1", "days": 3},
    )
    entry = AuditEntry.objects.get_for_object(number).get(action=AuditEntry.Action.UPDATE)
    assert (entry.actor, entry.project) == (owner, tenant_a)
    assert entry.changes_dict["status"] == ["assigned", "quarantined"]
    assert "Quarantined" in history_of(client)
    assert_only_tenant_a_sees("+84901110001", tenant_a, tenant_b)


def test_assign_action_is_recorded_for_the_receiving_tenant(admin_client, admin_user, tenant_a):
    stock = VirtualNumberFactory(project=None, status="available")
    admin_client.post(
        "/admin/portal/virtualnumber/",
        {
            "action": "assign_to_project",
            "_selected_action": [stock.pk],
            "apply": "1",
            "project": tenant_a.pk,
        },
    )
    entry = AuditEntry.objects.get_for_object(stock).get(action=AuditEntry.Action.UPDATE)
    assert (entry.actor, entry.project) == (admin_user, tenant_a)
    assert entry.changes_dict["status"] == ["available", "assigned"]


def test_api_write_names_the_project_key_and_is_the_tenants_only(client, tenant_a, tenant_b):
    response = client.post(
        "/api/v1/users/",
        {"user_id": "crm_bot", "display_name": "CRM robot"},
        content_type="application/json",
        headers=jwt_headers(tenant_a),
        REMOTE_ADDR="198.51.100.4",
    )
    assert response.status_code == 201
    entry = AuditEntry.objects.get(object_repr="crm_bot")
    assert entry.actor is None and entry.project == tenant_a
    assert tenant_a.api_key_sid in entry.caller
    assert entry.remote_addr == "198.51.100.4"
    assert_only_tenant_a_sees("crm_bot", tenant_a, tenant_b)


def test_management_command_is_recorded_for_the_tenant_that_released_the_number(tenant_a, tenant_b):
    number = VirtualNumberFactory(project=tenant_a, number="+84901110002")
    services.number_release(number=number, days=0)
    VirtualNumber.objects.filter(pk=number.pk).update(
        quarantined_until=timezone.now() - timedelta(minutes=1)
    )
    call_command("recycle_numbers", stdout=StringIO())
    entry = AuditEntry.objects.get_for_object(number).latest("pk")
    assert entry.caller == "Command “recycle_numbers”"
    assert entry.changes_dict["status"] == ["quarantined", "available"]
    assert entry.project == tenant_a
    assert "recycle_numbers" in history_of(owner_client(tenant_a)[0])
    assert "recycle_numbers" not in history_of(owner_client(tenant_b)[0])


def test_seed_demo_command_is_recorded_for_the_demo_tenant(tenant_b):
    call_command("seed_demo", stdout=StringIO())
    demo = Project.objects.exclude(pk=tenant_b.pk).get()
    entries = AuditEntry.objects.filter(project=demo)
    assert entries.exists()
    assert set(entries.values_list("caller", flat=True)) == {"Command “seed_demo”"}
    assert not AuditEntry.objects.filter(project=tenant_b, caller__contains="seed_demo").exists()


def test_secrets_never_appear_in_entries(admin_client, tenant_a):
    admin_client.post(
        f"/admin/portal/project/{tenant_a.pk}/change/",
        project_page_form(
            tenant_a,
            api_key_secret="brand-new-api-secret-XYZ123",
            signing_mode="report",
            signing_secret="brand-new-signing-secret-QWE789",
        ),
    )
    tenant_a.refresh_from_db()
    assert tenant_a.api_key_secret == "brand-new-api-secret-XYZ123"
    tenant_a.rotate_webhook_token()
    _key, plain_key = services.api_key_create(project=tenant_a, name="robot")
    stored = " ".join(
        str(row)
        for row in AuditEntry.objects.values_list(
            "changes", "changes_text", "serialized_data", "additional_data", "object_repr"
        )
    )
    secrets = [
        "brand-new-api-secret-XYZ123",
        "brand-new-signing-secret-QWE789",
        tenant_a.webhook_token,
        tenant_a.previous_webhook_token,
        plain_key,
        _key.key_hash,
    ]
    for secret in secrets:
        assert secret not in stored
        for cut in (secret[len(secret) // 2 :], secret[-8:]):  # not even half of it
            assert cut not in stored
    form_save = AuditEntry.objects.get(
        action=AuditEntry.Action.UPDATE, changes__has_key="signing_secret"
    )
    assert form_save.changes_dict["signing_secret"] == ["••••••", "••••••"]
    assert form_save.changes_dict["api_key_secret"] == ["••••••", "••••••"]


def test_history_is_read_only_for_staff_and_whole_for_superusers(admin_client, tenant_a, tenant_b):
    AppUserFactory(project=tenant_a, user_id="in_a")
    AppUserFactory(project=tenant_b, user_id="in_b")
    client, _ = owner_client(tenant_a)
    entry = AuditEntry.objects.get(object_repr="in_a")
    assert client.get(f"{HISTORY}{entry.pk}/change/").status_code == 200
    assert client.post(f"{HISTORY}{entry.pk}/delete/").status_code == 403
    assert client.get(f"{HISTORY}add/").status_code == 403
    other = AuditEntry.objects.get(object_repr="in_b")
    assert client.get(f"{HISTORY}{other.pk}/change/").status_code == 302  # "not found" redirect
    page = history_of(admin_client)
    assert "in_a" in page and "in_b" in page


def test_filters_by_type_person_and_date_answer_and_narrow(tenant_a):
    client, owner = owner_client(tenant_a)
    AppUserFactory(project=tenant_a, user_id="by_factory")
    client.post(
        "/admin/portal/appuser/add/",
        {"project": tenant_a.pk, "user_id": "by_owner", "display_name": "", "is_active": "on"},
    )
    by_person = client.get(HISTORY, {"actor__id__exact": owner.pk}).content.decode()
    assert "by_owner" in by_person and "by_factory" not in by_person
    today = timezone.localdate()
    for query in (
        {"type": "999999"},
        {"type": "junk"},
        {"timestamp__year": today.year, "timestamp__month": today.month},
        {"timestamp__gte": "not a date"},
    ):
        assert client.get(HISTORY, query).status_code in (200, 302)
        assert client.get(EXPORT, query).status_code in (200, 302)
        assert client.post(f"{EXPORT}?{urlencode(query)}").status_code == 302


def test_related_rows_are_named_as_auditlog_names_them_with_one_query_per_kind(tenant_a):
    """A page of the history names the rows its changes point to (a rule's number, app user and
    menu; a row deleted since) as auditlog would, one query per kind of row, not per entry."""
    menu = IvrMenuFactory(project=tenant_a, name="Hotline")
    for index in range(3):
        RoutingRuleFactory(
            project=tenant_a,
            called_kind="number",
            called_number=VirtualNumberFactory(project=tenant_a),
            destination_user=AppUserFactory(project=tenant_a, user_id=f"agent_{index}"),
            destination_kind="menu",
            destination_menu=menu,
        )
    gone = AppUserFactory(project=tenant_a, user_id="gone")
    RoutingRuleFactory(project=tenant_a, destination_user=gone).delete()
    gone.delete()
    entries = list(
        AuditEntry.objects.filter(project=tenant_a).select_related(
            "content_type", "project", "actor"
        )
    )
    one_by_one = [changed_fields(entry) for entry in entries]

    entries = list(
        AuditEntry.objects.filter(project=tenant_a).select_related(
            "content_type", "project", "actor"
        )
    )
    with CaptureQueriesContext(connection) as naming:
        name_related_rows(entries)
    with CaptureQueriesContext(connection) as showing:
        together = [changed_fields(entry) for entry in entries]
    assert together == one_by_one
    assert len(naming) == 3 and len(showing) == 0  # numbers, app users, menus
    shown = str(together)
    assert "agent_2" in shown and "Hotline" in shown and "Deleted 'AppUser'" in shown


def test_kinds_of_change_keep_their_abbreviations(tenant_a):
    client, _owner = owner_client(tenant_a)
    IvrMenuFactory(project=tenant_a, name="Sales")
    page = history_of(client)
    assert ">IVR menu<" in page and "IVR menu: Sales" in page
    assert ">API key<" in page
    assert "Ivr menu" not in page and "Api key" not in page
