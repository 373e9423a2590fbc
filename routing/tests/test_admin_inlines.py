"""Menu keys and ring-group members are edited on their parent's page by the tenant's own staff."""

import pytest

from portal.models import Membership
from routing.tests.factories import IvrMenuFactory, IvrOptionFactory

pytestmark = pytest.mark.django_db


def _keys_formset(client, menu):
    response = client.get(f"/admin/routing/ivrmenu/{menu.pk}/change/")
    assert response.status_code == 200
    (inline,) = [
        f
        for f in response.context["inline_admin_formsets"]
        if f.opts.model._meta.model_name == "ivroption"
    ]
    return inline


def test_operator_sees_the_menu_keys_and_may_add_change_and_delete_them(staff_client_for, tenant_a):
    menu = IvrMenuFactory(project=tenant_a)
    IvrOptionFactory(menu=menu, digit="1")
    inline = _keys_formset(staff_client_for(tenant_a, Membership.Role.OPERATOR), menu)
    assert [form.instance.digit for form in inline.formset.initial_forms] == ["1"]
    assert (
        inline.has_add_permission,
        inline.has_change_permission,
        inline.has_delete_permission,
    ) == (
        True,
        True,
        True,
    )


def test_viewer_sees_the_menu_keys_read_only(staff_client_for, tenant_a):
    menu = IvrMenuFactory(project=tenant_a)
    IvrOptionFactory(menu=menu, digit="2")
    inline = _keys_formset(staff_client_for(tenant_a, Membership.Role.VIEWER), menu)
    assert [form.instance.digit for form in inline.formset.initial_forms] == ["2"]
    assert (
        inline.has_add_permission,
        inline.has_change_permission,
        inline.has_delete_permission,
    ) == (
        False,
        False,
        False,
    )


def test_ring_group_members_are_editable_by_the_operator(staff_client_for, tenant_a):
    from routing.models import RingGroup

    group = RingGroup.objects.create(project=tenant_a, name="Sales")
    client = staff_client_for(tenant_a, Membership.Role.OPERATOR)
    response = client.get(f"/admin/routing/ringgroup/{group.pk}/change/")
    (inline,) = response.context["inline_admin_formsets"]
    assert inline.has_add_permission and inline.has_change_permission
