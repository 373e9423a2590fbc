"""Cross-tenant probes: tenant A's credentials never see, change or create tenant B's rows."""

import pytest

from portal.models import AppUser, Membership, VirtualNumber
from portal.tests.factories import AppUserFactory, VirtualNumberFactory
from portal.tests.helpers import jwt_headers


@pytest.fixture
def b_rows(tenant_b):
    return {
        "number": VirtualNumberFactory(project=tenant_b, number="+84909999999", label="B line"),
        "user": AppUserFactory(project=tenant_b, user_id="bob"),
    }


B_OBJECT_REQUESTS = [
    ("get", "/api/v1/numbers/+84909999999/", None),
    ("patch", "/api/v1/numbers/0909999999/", {"label": "mine now"}),
    ("post", "/api/v1/numbers/84909999999/release/", {}),
    ("get", "/api/v1/users/{user}/", None),
    ("put", "/api/v1/users/{user}/", {"user_id": "bob", "display_name": "x"}),
    ("patch", "/api/v1/users/{user}/", {"display_name": "x"}),
    ("delete", "/api/v1/users/{user}/", None),
    ("get", "/api/v1/projects/{project}/", None),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "body"), B_OBJECT_REQUESTS)
def test_tenant_a_token_on_tenant_b_object_is_404_and_changes_nothing(
    client, tenant_a, tenant_b, b_rows, method, path, body
):
    url = path.format(user=b_rows["user"].pk, project=tenant_b.stringee_project_id)
    kwargs = {"content_type": "application/json"} if body is not None else {}
    response = getattr(client, method)(url, body, headers=jwt_headers(tenant_a), **kwargs)
    assert response.status_code == 404, response.content
    assert response.json()["error"] == "not_found"
    number = VirtualNumber.objects.get(number="+84909999999")
    assert (number.project, number.label) == (tenant_b, "B line")
    assert AppUser.objects.get(pk=b_rows["user"].pk).display_name == b_rows["user"].display_name


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/numbers/", "/api/v1/users/", "/api/v1/projects/"])
def test_tenant_a_lists_never_include_tenant_b_rows(client, tenant_a, tenant_b, b_rows, path):
    VirtualNumberFactory(project=tenant_a, number="+84901111111")
    AppUserFactory(project=tenant_a, user_id="alice")
    rows = client.get(path, headers=jwt_headers(tenant_a)).json()["results"]
    assert len(rows) == 1
    text = str(rows)
    assert "+84909999999" not in text
    assert "bob" not in text
    assert tenant_b.name not in text


@pytest.mark.django_db
def test_inventory_never_offers_a_number_another_tenant_holds(client, tenant_a, b_rows):
    assert (
        client.get("/api/v1/numbers/inventory/", headers=jwt_headers(tenant_a)).json()["results"]
        == []
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/numbers/purchase/", {"number": "+84901234567"}),
        ("/api/v1/users/", {"user_id": "intruder"}),
        ("/api/v1/access-tokens/", {"userId": "bob"}),
    ],
)
def test_tenant_a_cannot_act_on_tenant_b_by_naming_it(
    client, tenant_a, tenant_b, b_rows, path, body
):
    VirtualNumberFactory(number="+84901234567", project=None, status=VirtualNumber.Status.AVAILABLE)
    url = f"{path}?project={tenant_b.stringee_project_id}"
    response = client.post(
        url, body, content_type="application/json", headers=jwt_headers(tenant_a)
    )
    assert response.status_code == 404, response.content
    assert VirtualNumber.objects.get(number="+84901234567").project is None
    assert not AppUser.objects.filter(user_id="intruder").exists()


@pytest.mark.django_db
def test_staff_of_tenant_a_cannot_purchase_into_tenant_b(staff_client_for, tenant_a, tenant_b):
    VirtualNumberFactory(number="+84901234567", project=None, status=VirtualNumber.Status.AVAILABLE)
    client = staff_client_for(tenant_a, Membership.Role.OWNER)
    response = client.post(
        f"/api/v1/numbers/purchase/?project={tenant_b.stringee_project_id}",
        {"number": "+84901234567"},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert VirtualNumber.objects.get().project is None


@pytest.mark.django_db
def test_access_token_for_tenant_b_user_is_404_for_tenant_a(client, tenant_a, b_rows):
    response = client.post(
        "/api/v1/access-tokens/",
        {"userId": "bob"},
        content_type="application/json",
        headers=jwt_headers(tenant_a),
    )
    assert response.status_code == 404
    assert "access_token" not in response.json()


@pytest.mark.django_db
def test_projects_me_is_the_token_project_and_naming_another_is_404(client, tenant_a, tenant_b):
    assert (
        client.get("/api/v1/projects/me/", headers=jwt_headers(tenant_a)).json()["name"]
        == "Tenant A"
    )
    other = client.get(
        f"/api/v1/projects/me/?project={tenant_b.stringee_project_id}",
        headers=jwt_headers(tenant_a),
    )
    assert other.status_code == 404


@pytest.mark.django_db
def test_same_user_id_may_exist_in_two_tenants(client, tenant_a, b_rows):
    response = client.post(
        "/api/v1/users/",
        {"user_id": "bob"},
        content_type="application/json",
        headers=jwt_headers(tenant_a),
    )
    assert response.status_code == 201
    assert AppUser.objects.filter(user_id="bob").count() == 2
