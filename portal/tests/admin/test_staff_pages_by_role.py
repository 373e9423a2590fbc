"""The staff pages this UI adds or changes open for an owner, a viewer and a superuser (no
error)."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from calls.demo import seed_demo_calls
from calls.models import CallRecord
from portal.devtools import demo
from portal.models import Membership, Project, VirtualNumber
from routing.demo import seed_demo_routing
from routing.models import IvrMenu, RoutingRule

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_pages():
    project = demo.seed_demo()
    seed_demo_routing(project)
    seed_demo_calls(project, count=60)
    record = CallRecord.objects.filter(project=project, decisions__isnull=False).first()
    rule = RoutingRule.objects.filter(project=project).first()
    menu = IvrMenu.objects.filter(project=project).first()
    number = VirtualNumber.objects.get(number=demo.PHONE_NUMBER_1)
    return [
        "/admin/",
        "/admin/?days=30",
        "/admin/calls/callrecord/",
        f"/admin/calls/callrecord/{record.pk}/change/",
        f"/admin/portal/project/{project.pk}/change/",
        "/admin/portal/virtualnumber/",
        f"/admin/portal/virtualnumber/{number.pk}/change/",
        "/admin/routing/routingrule/",
        f"/admin/routing/routingrule/{rule.pk}/change/",
        "/admin/routing/ivrmenu/",
        f"/admin/routing/ivrmenu/{menu.pk}/change/",
        "/admin/routing/ringgroup/",
        "/admin/routing/routingerrorlog/",
        "/admin/routing/openinghours/",
    ]


@pytest.mark.parametrize("role", ["owner", "viewer", "superuser"])
def test_every_page_opens_for_every_role(client, demo_pages, role):
    User = get_user_model()
    if role == "superuser":
        user = User.objects.get(username=demo.ADMIN_USERNAME)
    else:
        user = User.objects.create_user(f"{role}_of_demo", password="pw", is_staff=True)
        project = Project.objects.get(stringee_project_id=demo.DEMO_PROJECT_ID)
        Membership.objects.create(user=user, project=project, role=role)
    client.force_login(user)
    for path in demo_pages:
        response = client.get(path)
        assert response.status_code == 200, f"{role} {path}: {response.status_code}"


def test_models_have_proper_names(admin_client):
    html = admin_client.get("/admin/routing/").content.decode()
    assert "IVR menus" in html and "Routing errors" in html and "Ivr menus" not in html


SUPERUSER_PAGES = (
    "/admin/auth/user/",
    "/admin/auth/group/",
    "/admin/axes/accessattempt/",
    "/admin/django_tasks_database/dbtaskresult/",
    "/admin/authtoken/tokenproxy/",
)


def test_no_django_permission_opens_superuser_pages_to_tenant_staff(staff_client_for, tenant_a):
    """An owner given every Django permission still reaches only their tenant's pages."""
    client = staff_client_for(tenant_a, Membership.Role.OWNER)
    owner = client.get("/admin/").wsgi_request.user
    owner.user_permissions.set(Permission.objects.all())
    index = client.get("/admin/").content.decode()
    assert "/admin/auth/user/" not in index and "/admin/axes/" not in index
    for page in SUPERUSER_PAGES:
        assert client.get(page).status_code == 403, page
    root = get_user_model().objects.create_superuser("root", "root@example.com", "old-password")
    assert client.get(f"/admin/auth/user/{root.pk}/change/").status_code == 403
    response = client.post(
        f"/admin/auth/user/{root.pk}/password/",
        {"password1": "taken-over-1", "password2": "taken-over-1"},
    )
    assert response.status_code == 403
    root.refresh_from_db()
    assert root.check_password("old-password")


def test_superusers_keep_the_superuser_pages(admin_client):
    for page in SUPERUSER_PAGES:
        assert admin_client.get(page).status_code == 200, page
