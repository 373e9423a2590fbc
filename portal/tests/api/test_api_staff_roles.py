"""Staff roles in the API: viewers read only; operators and owners change their project."""

import pytest

from portal.models import AppUser, Membership, VirtualNumber
from portal.tests.factories import AppUserFactory, VirtualNumberFactory

VIEWER = Membership.Role.VIEWER


@pytest.fixture
def rows(tenant_a):
    VirtualNumberFactory(project=tenant_a, number="+84901111111", label="Main")
    VirtualNumberFactory(number="+84902222222", project=None, status=VirtualNumber.Status.AVAILABLE)
    return {"user": AppUserFactory(project=tenant_a, user_id="alice")}


WRITES = [
    ("post", "/api/v1/users/", {"user_id": "eve"}),
    ("put", "/api/v1/users/{user}/", {"user_id": "eve"}),
    ("patch", "/api/v1/users/{user}/", {"display_name": "Eve"}),
    ("delete", "/api/v1/users/{user}/", None),
    ("patch", "/api/v1/numbers/+84901111111/", {"label": "Changed"}),
    ("post", "/api/v1/numbers/+84901111111/release/", {}),
    ("post", "/api/v1/numbers/purchase/", {"number": "+84902222222"}),
    ("post", "/api/v1/access-tokens/", {"userId": "alice"}),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_viewer_staff_gets_403_on_every_write(staff_client_for, tenant_a, rows, method, path, body):
    client = staff_client_for(tenant_a, VIEWER)
    kwargs = {"content_type": "application/json"} if body is not None else {}
    response = getattr(client, method)(path.format(user=rows["user"].pk), body, **kwargs)
    assert response.status_code == 403, response.content
    assert response.json()["error"] == "permission_denied"
    assert list(AppUser.objects.values_list("user_id", "display_name")) == [
        ("alice", rows["user"].display_name)
    ]
    numbers = dict(VirtualNumber.objects.values_list("number", "project"))
    assert numbers == {"+84901111111": tenant_a.pk, "+84902222222": None}
    assert VirtualNumber.objects.get(number="+84901111111").label == "Main"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    ["/api/v1/users/", "/api/v1/numbers/", "/api/v1/numbers/inventory/", "/api/v1/projects/me/"],
)
def test_viewer_staff_can_read(staff_client_for, tenant_a, rows, path):
    assert staff_client_for(tenant_a, VIEWER).get(path).status_code == 200


@pytest.mark.django_db
def test_operator_staff_can_create_users_and_purchase_for_their_project(
    staff_client_for, tenant_a, rows
):
    client = staff_client_for(tenant_a, Membership.Role.OPERATOR)
    created = client.post("/api/v1/users/", {"user_id": "eve"}, content_type="application/json")
    assert created.status_code == 201
    bought = client.post(
        "/api/v1/numbers/purchase/", {"number": "0902222222"}, content_type="application/json"
    )
    assert bought.status_code == 201
    assert VirtualNumber.objects.get(number="+84902222222").project == tenant_a


@pytest.mark.django_db
def test_superuser_names_the_project_to_create_in(admin_client, tenant_a, tenant_b):
    unnamed = admin_client.post(
        "/api/v1/users/", {"user_id": "eve"}, content_type="application/json"
    )
    assert unnamed.status_code == 400
    named = admin_client.post(
        f"/api/v1/users/?project={tenant_b.stringee_project_id}",
        {"user_id": "eve"},
        content_type="application/json",
    )
    assert named.status_code == 201
    assert AppUser.objects.get().project == tenant_b
