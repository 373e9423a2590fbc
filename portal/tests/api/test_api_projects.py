"""projects/me and projects: the caller's project with its webhook URLs, secret masked."""

import pytest

from portal.models import Membership
from portal.tests.factories import AppUserFactory, MembershipFactory, VirtualNumberFactory
from portal.tests.helpers import jwt_headers


@pytest.mark.django_db
def test_projects_me_shows_webhook_urls_and_masked_secret(client, tenant_a):
    body = client.get("/api/v1/projects/me/", headers=jwt_headers(tenant_a)).json()
    assert body["project_id"] == tenant_a.stringee_project_id
    assert body["answer_url"] == tenant_a.answer_url
    assert body["event_url"] == tenant_a.event_url
    assert body["masked_secret"] == tenant_a.masked_secret
    assert body["api_key_sid"] == tenant_a.api_key_sid


@pytest.mark.django_db
def test_the_api_key_secret_appears_in_no_response(client, tenant_a):
    VirtualNumberFactory(project=tenant_a)
    AppUserFactory(project=tenant_a)
    for path in ("/api/v1/projects/me/", "/api/v1/projects/", "/api/v1/numbers/", "/api/v1/users/"):
        response = client.get(path, headers=jwt_headers(tenant_a))
        assert response.status_code == 200
        assert tenant_a.api_key_secret not in response.content.decode(), path
    token = client.post(
        "/api/v1/access-tokens/",
        {"userId": "nobody"},
        content_type="application/json",
        headers=jwt_headers(tenant_a),
    )
    assert tenant_a.api_key_secret not in token.content.decode()


@pytest.mark.django_db
def test_staff_in_two_projects_list_both_and_choose_one_for_me(client, tenant_a, tenant_b):
    user = MembershipFactory(project=tenant_a, role=Membership.Role.VIEWER).user
    MembershipFactory(user=user, project=tenant_b, role=Membership.Role.VIEWER)
    client.force_login(user)
    names = [row["name"] for row in client.get("/api/v1/projects/").json()["results"]]
    assert names == ["Tenant A", "Tenant B"]
    ambiguous = client.get("/api/v1/projects/me/")
    assert ambiguous.status_code == 400
    assert ambiguous.json()["detail"].startswith("project:")
    chosen = client.get(f"/api/v1/projects/me/?project={tenant_b.stringee_project_id}")
    assert chosen.json()["name"] == "Tenant B"
    one = client.get(f"/api/v1/projects/{tenant_b.stringee_project_id}/")
    assert one.json()["event_url"] == tenant_b.event_url


@pytest.mark.django_db
def test_projects_are_read_only(client, tenant_a):
    url = f"/api/v1/projects/{tenant_a.stringee_project_id}/"
    response = client.patch(
        url, {"name": "Hijack"}, content_type="application/json", headers=jwt_headers(tenant_a)
    )
    assert response.status_code == 405
    tenant_a.refresh_from_db()
    assert tenant_a.name == "Tenant A"


@pytest.mark.django_db
@pytest.mark.parametrize("chosen", ["", "abc", "1.5"])
def test_a_project_parameter_that_is_not_a_projectid_is_refused_by_name(client, tenant_a, chosen):
    response = client.get(f"/api/v1/projects/me/?project={chosen}", headers=jwt_headers(tenant_a))
    assert response.status_code == 400
    assert response.json()["detail"].startswith("project:")
