"""Tenant API keys: created by owners in the admin (shown once, stored hashed), scoped read-only
or read-write, expiring, revocable, and confined to their own tenant."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from portal import services
from portal.models import ApiKey, AppUser, AuditEntry, Membership
from portal.tests.factories import AppUserFactory, MembershipFactory

pytestmark = pytest.mark.django_db

USERS = "/api/v1/users/"


def key_header(plain_key: str) -> dict[str, str]:
    return {"Authorization": f"Api-Key {plain_key}"}


def make_key(project, scope=ApiKey.Scope.WRITE, **extra) -> tuple[ApiKey, str]:
    return services.api_key_create(project=project, name="CRM sync", scope=scope, **extra)


def test_owner_creates_a_key_in_the_admin_and_sees_it_once(tenant_a):
    membership = MembershipFactory(project=tenant_a, role=Membership.Role.OWNER)
    client = Client()
    client.force_login(membership.user)
    page = client.post(
        "/admin/portal/apikey/add/",
        {"project": tenant_a.pk, "name": "Night robot", "scope": "read", "expires_at": ""},
    )
    assert page.status_code == 200
    key = ApiKey.objects.get(name="Night robot")
    html = page.content.decode()
    plain_key = html.split('id="new-api-key" readonly value="')[1].split('"')[0]
    assert plain_key.startswith(key.prefix + "_")
    assert client.get(USERS, headers=key_header(plain_key)).status_code == 200
    stored = " ".join(str(v) for v in ApiKey.objects.values_list().get())
    assert plain_key not in stored and plain_key[len(key.prefix) + 1 :] not in stored
    assert plain_key not in str(list(AuditEntry.objects.values_list("changes", "object_repr")))
    listing = client.get("/admin/portal/apikey/").content.decode()
    assert "Night robot" in listing and plain_key not in listing
    detail = client.get(f"/admin/portal/apikey/{key.pk}/change/").content.decode()
    assert plain_key not in detail


def test_operators_cannot_create_keys(staff_client_for, tenant_a):
    client = staff_client_for(tenant_a, Membership.Role.OPERATOR)
    assert client.get("/admin/portal/apikey/add/").status_code == 403


def test_read_only_key_reads_but_gets_403_on_every_write(client, tenant_a):
    _key, plain_key = make_key(tenant_a, scope=ApiKey.Scope.READ)
    user = AppUserFactory(project=tenant_a)
    headers = key_header(plain_key)
    assert client.get(USERS, headers=headers).status_code == 200
    create = client.post(USERS, {"user_id": "x"}, content_type="application/json", headers=headers)
    change = client.patch(
        f"{USERS}{user.pk}/",
        {"display_name": "y"},
        content_type="application/json",
        headers=headers,
    )
    delete = client.delete(f"{USERS}{user.pk}/", headers=headers)
    assert (create.status_code, change.status_code, delete.status_code) == (403, 403, 403)
    assert "read-only" in create.json()["detail"]
    assert AppUser.objects.get().display_name == user.display_name


def test_write_key_changes_and_the_audit_entry_names_the_key(client, tenant_a):
    key, plain_key = make_key(tenant_a)
    response = client.post(
        USERS,
        {"user_id": "from_crm"},
        content_type="application/json",
        headers=key_header(plain_key),
    )
    assert response.status_code == 201
    entry = AuditEntry.objects.get(object_repr="from_crm")
    assert entry.api_key == key and entry.project == tenant_a
    assert "CRM sync" in entry.caller and key.prefix in entry.caller


def test_expired_key_is_401(client, tenant_a):
    _key, plain_key = make_key(tenant_a, expires_at=timezone.now() + timedelta(days=1))
    assert client.get(USERS, headers=key_header(plain_key)).status_code == 200
    ApiKey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(USERS, headers=key_header(plain_key))
    assert response.status_code == 401
    assert response.json()["error"] == "api_key_expired"


def test_revoked_key_is_401_from_the_admin_action(client, tenant_a):
    key, plain_key = make_key(tenant_a)
    membership = MembershipFactory(project=tenant_a, role=Membership.Role.OWNER)
    owner = Client()
    owner.force_login(membership.user)
    owner.post("/admin/portal/apikey/", {"action": "revoke_keys", "_selected_action": [key.pk]})
    key.refresh_from_db()
    assert key.revoked_at is not None
    response = client.get(USERS, headers=key_header(plain_key))
    assert response.status_code == 401
    assert response.json()["error"] == "api_key_revoked"
    revoke = AuditEntry.objects.get_for_object(key).get(action=AuditEntry.Action.UPDATE)
    assert revoke.actor == membership.user and "revoked_at" in revoke.changes_dict


@pytest.mark.parametrize(
    "header",
    [
        "Api-Key spk_00000000_nothing",
        "Api-Key nonsense",
        "Api-Key",
        "Api-Key a b",
        "Api-Key spk_\x00_x",
    ],
)
def test_unknown_or_malformed_keys_are_401(client, tenant_a, header):
    make_key(tenant_a)
    assert client.get(USERS, headers={"Authorization": header}).status_code == 401


def test_a_wrong_secret_with_a_real_prefix_is_401(client, tenant_a):
    key, _plain_key = make_key(tenant_a)
    assert client.get(USERS, headers=key_header(f"{key.prefix}_guess")).status_code == 401


def test_last_used_is_set_and_written_at_most_once_a_minute(client, tenant_a):
    key, plain_key = make_key(tenant_a)
    assert key.last_used_at is None
    client.get(USERS, headers=key_header(plain_key))
    key.refresh_from_db()
    first = key.last_used_at
    assert first is not None and timezone.now() - first < timedelta(seconds=5)
    client.get(USERS, headers=key_header(plain_key))
    key.refresh_from_db()
    assert key.last_used_at == first
    ApiKey.objects.update(last_used_at=first - timedelta(minutes=2))
    client.get(USERS, headers=key_header(plain_key))
    key.refresh_from_db()
    assert key.last_used_at > first


def test_a_key_of_tenant_a_never_sees_tenant_b(client, tenant_a, tenant_b):
    _key, plain_key = make_key(tenant_a)
    theirs = AppUserFactory(project=tenant_b, user_id="theirs")
    AppUserFactory(project=tenant_a, user_id="ours")
    headers = key_header(plain_key)
    listed = client.get(USERS, headers=headers).json()["results"]
    assert [row["user_id"] for row in listed] == ["ours"]
    assert client.get(f"{USERS}{theirs.pk}/", headers=headers).status_code == 404
    assert (
        client.patch(
            f"{USERS}{theirs.pk}/",
            {"display_name": "x"},
            content_type="application/json",
            headers=headers,
        ).status_code
        == 404
    )
    assert client.delete(f"{USERS}{theirs.pk}/", headers=headers).status_code == 404


def test_tenant_b_staff_do_not_see_tenant_a_keys(tenant_a, tenant_b):
    key, _plain = make_key(tenant_a)
    membership = MembershipFactory(project=tenant_b, role=Membership.Role.OWNER)
    client = Client()
    client.force_login(membership.user)
    assert "CRM sync" not in client.get("/admin/portal/apikey/").content.decode()
    assert client.get(f"/admin/portal/apikey/{key.pk}/change/").status_code == 302
    client.post("/admin/portal/apikey/", {"action": "revoke_keys", "_selected_action": [key.pk]})
    key.refresh_from_db()
    assert key.revoked_at is None


def test_openapi_schema_describes_the_api_key_scheme(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    schemes = schema["components"]["securitySchemes"]
    assert schemes["ApiKey"]["type"] == "apiKey"
    assert schemes["ApiKey"]["name"] == "Authorization"


def test_drf_tokens_are_masked_in_the_admin(admin_client, admin_user):
    token = Token.objects.create(user=admin_user)
    page = admin_client.get("/admin/authtoken/tokenproxy/").content.decode()
    assert token.key not in page
    assert token.key[-4:] in page
