"""Tenants never delete inventory numbers: they release them into quarantine. Each role is offered
only the number actions it may take; assigning is the portal administrators' alone."""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from portal.models import Membership, VirtualNumber
from portal.tests.factories import VirtualNumberFactory

pytestmark = pytest.mark.django_db

LIST = "/admin/portal/virtualnumber/"
Role = Membership.Role


@pytest.fixture
def number(tenant_a):
    return VirtualNumberFactory(project=tenant_a, number="+84901111111")


def _actions(response) -> set[str]:
    form = response.context["action_form"] if response.context else None
    if form is None:
        return set()
    return {value for value, _ in form.fields["action"].choices if value}


def test_owner_is_offered_no_delete_and_no_assign_on_the_list(staff_client_for, tenant_a, number):
    client = staff_client_for(tenant_a, Role.OWNER)
    response = client.get(LIST)
    assert _actions(response) == {"release_numbers"}
    html = response.content.decode()
    assert "Delete selected" not in html
    assert "Assign to project" not in html
    assert "Release into quarantine" in html


def test_owner_sees_no_delete_button_but_a_release_button(staff_client_for, tenant_a, number):
    client = staff_client_for(tenant_a, Role.OWNER)
    html = client.get(f"{LIST}{number.pk}/change/").content.decode()
    assert f"{LIST}{number.pk}/delete/" not in html
    assert 'class="deletelink"' not in html
    assert f"{LIST}{number.pk}/release/" in html


def test_owner_posting_to_the_delete_url_is_refused_and_nothing_is_deleted(
    staff_client_for, tenant_a, number
):
    client = staff_client_for(tenant_a, Role.OWNER)
    assert client.get(f"{LIST}{number.pk}/delete/").status_code == 403
    response = client.post(f"{LIST}{number.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert VirtualNumber.objects.filter(pk=number.pk, project=tenant_a).exists()


def test_owner_posting_delete_selected_deletes_nothing(staff_client_for, tenant_a, number):
    client = staff_client_for(tenant_a, Role.OWNER)
    response = client.post(
        LIST,
        {"action": "delete_selected", "_selected_action": [number.pk], "post": "yes"},
        follow=True,
    )
    assert response.status_code == 200
    assert VirtualNumber.objects.filter(pk=number.pk, project=tenant_a).exists()


def test_owner_posting_assign_is_refused(staff_client_for, tenant_a, tenant_b):
    stock = VirtualNumberFactory(project=None, status="available")
    client = staff_client_for(tenant_a, Role.OWNER)
    client.post(
        LIST,
        {"action": "assign_to_project", "_selected_action": [stock.pk], "project": tenant_a.pk},
        follow=True,
    )
    stock.refresh_from_db()
    assert stock.project is None and stock.status == "available"


def test_release_button_asks_the_quarantine_then_releases(staff_client_for, tenant_a, number):
    client = staff_client_for(tenant_a, Role.OWNER)
    page = client.get(f"{LIST}{number.pk}/release/")
    assert page.status_code == 200
    assert "quarantine" in page.content.decode().lower()
    response = client.post(f"{LIST}{number.pk}/release/", {"days": "5", "apply": "Release"})
    assert response.status_code == 302
    number.refresh_from_db()
    assert number.status == "quarantined" and number.project is None
    assert VirtualNumber.objects.filter(pk=number.pk).exists()


def test_release_refuses_junk_days_with_a_form_error(staff_client_for, tenant_a, number):
    client = staff_client_for(tenant_a, Role.OWNER)
    response = client.post(f"{LIST}{number.pk}/release/", {"days": "9999"})
    assert response.status_code == 200
    number.refresh_from_db()
    assert number.status == "assigned"


def test_other_tenants_number_cannot_be_released(staff_client_for, tenant_a, tenant_b):
    theirs = VirtualNumberFactory(project=tenant_b)
    client = staff_client_for(tenant_a, Role.OWNER)
    assert client.post(f"{LIST}{theirs.pk}/release/", {"days": "1"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.project == tenant_b


def test_viewer_sees_numbers_read_only(staff_client_for, tenant_a, number):
    client = staff_client_for(tenant_a, Role.VIEWER)
    response = client.get(LIST)
    assert _actions(response) == set()
    html = client.get(f"{LIST}{number.pk}/change/").content.decode()
    assert "/release/" not in html and "/delete/" not in html
    assert client.post(f"{LIST}{number.pk}/release/", {"days": "1"}).status_code == 403
    number.refresh_from_db()
    assert number.status == "assigned"


def test_operator_may_release_but_not_delete(staff_client_for, tenant_a, number):
    client = staff_client_for(tenant_a, Role.OPERATOR)
    assert _actions(client.get(LIST)) == {"release_numbers"}
    assert client.post(f"{LIST}{number.pk}/delete/", {"post": "yes"}).status_code == 403


def test_superuser_keeps_assign_and_delete(admin_client, number):
    assert _actions(admin_client.get(LIST)) == {
        "assign_to_project",
        "release_numbers",
        "delete_selected",
    }


# --- every admin: only the actions a role may take -----------------------------------------


def _tenant_admins():
    from portal.tenancy.admin import TenantScopedAdmin

    return [ma for ma in admin.site._registry.values() if isinstance(ma, TenantScopedAdmin)]


def test_every_tenant_action_declares_the_permission_it_needs():
    for model_admin in _tenant_admins():
        for action in model_admin.actions or ():
            func = getattr(model_admin, action) if isinstance(action, str) else action
            assert getattr(func, "allowed_permissions", None), (
                f"{type(model_admin).__name__}.{action} declares no permission"
            )


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_viewers_are_offered_no_action_that_changes_anything(tenant_a):
    from portal.tests.factories import MembershipFactory

    viewer = MembershipFactory(project=tenant_a, role=Role.VIEWER).user
    request = _request(viewer)
    for model_admin in _tenant_admins():
        actions = set(model_admin.get_actions(request))
        # Reading actions only: export a list, prepare a failed export of it again.
        reading = {"export_csv", "prepare_again"}
        assert actions <= reading, f"{type(model_admin).__name__}: {actions}"
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)


def test_operators_get_no_owner_or_superuser_tools(tenant_a):
    from portal.tests.factories import MembershipFactory

    operator = MembershipFactory(project=tenant_a, role=Role.OPERATOR).user
    request = _request(operator)
    registry = {type(ma).__name__: ma for ma in _tenant_admins()}
    project_admin = next(ma for ma in _tenant_admins() if ma.model._meta.model_name == "project")
    assert set(project_admin.get_actions(request)) == set()  # rotate, deactivate: owners
    membership_admin = next(
        ma for ma in _tenant_admins() if ma.model._meta.model_name == "membership"
    )
    assert not membership_admin.has_add_permission(request)  # invitations: owners
    assert registry  # sanity


def test_an_action_without_declared_permission_reaches_superusers_only(tenant_a, admin_user):
    from portal.tenancy.admin import TenantScopedAdmin
    from portal.tests.factories import MembershipFactory

    def undeclared(modeladmin, request, queryset):
        """An action someone forgot to guard."""

    class Careless(TenantScopedAdmin):
        actions = [undeclared]

    careless = Careless(VirtualNumber, admin.site)
    owner = MembershipFactory(project=tenant_a, role=Role.OWNER).user
    assert "undeclared" not in careless.get_actions(_request(owner))
    assert "undeclared" in careless.get_actions(_request(admin_user))
