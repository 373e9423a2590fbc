"""App users API: create, read, change and delete a project's Stringee client users."""

import pytest

from portal.models import AppUser
from portal.tests.factories import AppUserFactory
from portal.tests.helpers import jwt_headers


@pytest.mark.django_db
def test_app_user_lifecycle_create_read_update_delete(client, tenant_a):
    created = client.post(
        "/api/v1/users/",
        {"user_id": "alice", "display_name": "Alice", "phone_number": "090 123 4567"},
        content_type="application/json",
        headers=jwt_headers(tenant_a),
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["phone_number"], body["project"], body["is_active"]) == (
        "+84901234567",
        tenant_a.stringee_project_id,
        True,
    )
    url = f"/api/v1/users/{body['id']}/"
    assert client.get(url, headers=jwt_headers(tenant_a)).json()["display_name"] == "Alice"
    replaced = client.put(
        url,
        {"user_id": "alice2", "display_name": "A."},
        content_type="application/json",
        headers=jwt_headers(tenant_a),
    )
    assert replaced.status_code == 200
    changed = client.patch(
        url, {"is_active": False}, content_type="application/json", headers=jwt_headers(tenant_a)
    )
    assert changed.json()["is_active"] is False
    stored = AppUser.objects.get()
    assert (stored.user_id, stored.display_name, stored.is_active, stored.project) == (
        "alice2",
        "A.",
        False,
        tenant_a,
    )
    assert client.delete(url, headers=jwt_headers(tenant_a)).status_code == 204
    assert not AppUser.objects.exists()


@pytest.mark.django_db
def test_duplicate_user_id_in_the_project_is_400_naming_the_field(client, tenant_a):
    AppUserFactory(project=tenant_a, user_id="alice")
    response = client.post(
        "/api/v1/users/",
        {"user_id": "alice"},
        content_type="application/json",
        headers=jwt_headers(tenant_a),
    )
    assert response.status_code == 400
    body = response.json()
    assert body["detail"].startswith("user_id:")
    assert "user_id" in body["fields"]
    assert AppUser.objects.count() == 1


@pytest.mark.django_db
def test_renaming_onto_another_users_id_is_400_but_keeping_ones_own_is_fine(client, tenant_a):
    AppUserFactory(project=tenant_a, user_id="alice")
    bob = AppUserFactory(project=tenant_a, user_id="bob")
    url = f"/api/v1/users/{bob.pk}/"
    clash = client.patch(
        url, {"user_id": "alice"}, content_type="application/json", headers=jwt_headers(tenant_a)
    )
    assert clash.status_code == 400
    assert "user_id" in clash.json()["fields"]
    same = client.patch(
        url,
        {"user_id": "bob", "display_name": "Bob"},
        content_type="application/json",
        headers=jwt_headers(tenant_a),
    )
    assert same.status_code == 200


@pytest.mark.django_db
def test_invalid_phone_number_is_400_naming_the_field(client, tenant_a):
    response = client.post(
        "/api/v1/users/",
        {"user_id": "alice", "phone_number": "call me"},
        content_type="application/json",
        headers=jwt_headers(tenant_a),
    )
    assert response.status_code == 400
    assert response.json()["detail"].startswith("phone_number:")


@pytest.mark.django_db
def test_user_list_filters_by_activity_and_search(client, tenant_a):
    AppUserFactory(project=tenant_a, user_id="alice", display_name="Alice Nguyen")
    AppUserFactory(project=tenant_a, user_id="bob", display_name="Bob Tran", is_active=False)

    def ids(query):
        response = client.get(f"/api/v1/users/?{query}", headers=jwt_headers(tenant_a))
        return [row["user_id"] for row in response.json()["results"]]

    assert ids("is_active=false") == ["bob"]
    assert ids("search=nguyen") == ["alice"]
    assert ids("") == ["alice", "bob"]


@pytest.mark.django_db
def test_user_list_is_paginated_with_a_page_size_parameter(client, tenant_a):
    AppUserFactory.create_batch(5, project=tenant_a)
    page = client.get("/api/v1/users/?page_size=2&page=2", headers=jwt_headers(tenant_a)).json()
    assert page["count"] == 5
    assert len(page["results"]) == 2
    assert page["next"] and page["previous"]


@pytest.mark.django_db
def test_user_list_query_count_does_not_grow_with_rows(
    client, tenant_a, django_assert_max_num_queries
):
    AppUserFactory.create_batch(30, project=tenant_a)
    headers = jwt_headers(tenant_a)
    # auth (project), count, page (users joined to project)
    with django_assert_max_num_queries(3):
        assert client.get("/api/v1/users/", headers=headers).status_code == 200
