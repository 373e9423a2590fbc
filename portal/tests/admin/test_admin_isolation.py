"""Tenant staff, through the real admin views, never see another tenant's rows."""

import pytest

from portal.models import AppUser, Membership
from portal.tests.factories import (
    AppUserFactory,
    MembershipFactory,
    ProjectFactory,
    VirtualNumberFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_tenants(tenant_a, tenant_b):
    """Each tenant gets a number, an app user and a member, with tell-tale names."""
    return {
        "a_number": VirtualNumberFactory(project=tenant_a, number="+84901111111"),
        "b_number": VirtualNumberFactory(project=tenant_b, number="+84902222222"),
        "a_user": AppUserFactory(project=tenant_a, user_id="alice_of_a"),
        "b_user": AppUserFactory(project=tenant_b, user_id="bob_of_b"),
        "b_member": MembershipFactory(project=tenant_b, user__username="staff_of_b"),
    }


@pytest.mark.parametrize(
    "page, mine, theirs",
    [
        ("/admin/portal/virtualnumber/", "+84901111111", "+84902222222"),
        ("/admin/portal/appuser/", "alice_of_a", "bob_of_b"),
        ("/admin/portal/membership/", "Tenant A", "staff_of_b"),
        ("/admin/portal/project/", "Tenant A", "Tenant B"),
    ],
)
def test_list_pages_show_only_own_rows(staff_client_for, tenant_a, two_tenants, page, mine, theirs):
    html = staff_client_for(tenant_a).get(page).content.decode()
    assert mine in html
    assert theirs not in html


@pytest.mark.parametrize("kind", ["b_number", "b_user", "b_member"])
def test_other_tenants_change_pages_do_not_open(staff_client_for, tenant_a, two_tenants, kind):
    obj = two_tenants[kind]
    url = f"/admin/portal/{obj._meta.model_name}/{obj.pk}/change/"
    response = staff_client_for(tenant_a).get(url, follow=True)
    html = response.content.decode()
    assert "doesn’t exist" in html or response.status_code == 404
    assert str(obj) not in html.replace("doesn’t exist", "")


def test_other_tenants_project_page_does_not_open(staff_client_for, tenant_a, tenant_b):
    response = staff_client_for(tenant_a, Membership.Role.OWNER).get(
        f"/admin/portal/project/{tenant_b.pk}/change/", follow=True
    )
    assert tenant_b.answer_url not in response.content.decode()


def test_add_form_dropdown_offers_only_own_projects(staff_client_for, tenant_a, tenant_b):
    html = staff_client_for(tenant_a).get("/admin/portal/appuser/add/").content.decode()
    assert "Tenant A" in html
    assert "Tenant B" not in html


def test_cannot_create_a_user_in_another_tenant_by_posting_its_id(
    staff_client_for, tenant_a, tenant_b
):
    staff_client_for(tenant_a).post(
        "/admin/portal/appuser/add/",
        {
            "project": tenant_b.pk,
            "user_id": "intruder",
            "display_name": "",
            "is_active": "on",
        },
    )
    assert not AppUser.objects.filter(user_id="intruder").exists()


def test_project_filter_lists_only_own_projects(staff_client_for, tenant_a, two_tenants):
    html = staff_client_for(tenant_a).get("/admin/portal/virtualnumber/").content.decode()
    assert "Tenant B" not in html


def test_project_filter_is_offered_to_staff_of_several_projects(
    staff_client_for, tenant_a, two_tenants
):
    """Staff of one project have nothing to choose and get no project filter."""
    client = staff_client_for(tenant_a)

    def project_filter() -> list[str]:
        response = client.get("/admin/portal/virtualnumber/")
        specs = response.context["cl"].filter_specs  # the filters shown
        chosen = [s.lookup_choices for s in specs if s.field_path == "project"]
        return [str(name).split(" (")[0] for choices in chosen for _pk, name in choices]

    assert project_filter() == []
    user = client.get("/admin/").wsgi_request.user
    tenant_c = ProjectFactory(name="Tenant C")
    VirtualNumberFactory(project=tenant_c)
    MembershipFactory(user=user, project=tenant_c)
    assert project_filter() == ["Tenant A", "Tenant C"]


def test_search_does_not_reach_other_tenants(staff_client_for, tenant_a, two_tenants):
    response = staff_client_for(tenant_a).get("/admin/portal/appuser/?q=bob_of_b")
    assert list(response.context["cl"].result_list) == []


def test_viewer_can_look_but_not_change(staff_client_for, tenant_a, two_tenants):
    client = staff_client_for(tenant_a, Membership.Role.VIEWER)
    user = two_tenants["a_user"]
    page = client.get(f"/admin/portal/appuser/{user.pk}/change/")
    assert page.status_code == 200 and "alice_of_a" in page.content.decode()
    response = client.post(
        f"/admin/portal/appuser/{user.pk}/change/",
        {
            "project": tenant_a.pk,
            "user_id": "renamed",
            "is_active": "on",
        },
    )
    assert response.status_code == 403
    user.refresh_from_db()
    assert user.user_id == "alice_of_a"
    assert client.get("/admin/portal/appuser/add/").status_code == 403


def test_staff_without_membership_sees_no_tenant_pages(client, two_tenants):
    staff = MembershipFactory().user
    staff.memberships.all().delete()
    client.force_login(staff)
    assert client.get("/admin/portal/appuser/").status_code == 403
