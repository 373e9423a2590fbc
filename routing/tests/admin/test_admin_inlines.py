"""Menu keys and ring-group members are edited on their parent's page by the tenant's own staff."""

import pytest

from portal.models import Membership
from portal.tests.factories import AppUserFactory
from routing.models import IvrOption
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


def _key_row(index: int, key: IvrOption | None, **values) -> dict:
    row = {"id": key.pk if key else "", "menu": key.menu_id if key else "", "digit": str(index + 1)}
    return {f"options-{index}-{name}": value for name, value in {**row, **values}.items()}


def test_menu_keys_show_the_rows_they_lead_to(staff_client_for, tenant_a):
    agent = AppUserFactory(project=tenant_a, user_id="agent_on_key")
    billing = IvrMenuFactory(project=tenant_a, name="Billing on key")
    menu = IvrMenuFactory(project=tenant_a)
    IvrOptionFactory(menu=menu, digit="1", destination_kind="user", destination_user=agent)
    IvrOptionFactory(menu=menu, digit="2", destination_kind="menu", destination_menu=billing)
    client = staff_client_for(tenant_a, Membership.Role.OPERATOR)
    html = client.get(f"/admin/routing/ivrmenu/{menu.pk}/change/").content.decode()
    assert f'<option value="{agent.pk}" selected>agent_on_key</option>' in html
    assert f'<option value="{billing.pk}" selected>Billing on key</option>' in html


def test_a_key_posted_with_another_tenants_user_is_shown_without_it(
    staff_client_for, tenant_a, tenant_b
):
    """The keys' chosen rows are read together from the staff member's own projects only: a
    refused post shows its own agent again, and nothing of the other tenant's app user."""
    agent = AppUserFactory(project=tenant_a, user_id="our_agent")
    theirs = AppUserFactory(project=tenant_b, user_id="their_agent")
    menu = IvrMenuFactory(project=tenant_a, name="Hotline")
    ours = IvrOptionFactory(menu=menu, digit="1", destination_kind="user", destination_user=agent)
    data = {
        "project": tenant_a.pk,
        "name": "Hotline",
        "greeting_text": "Press a key.",
        "timeout": 10,
        "max_retries": 2,
        "invalid_message": "Sorry.",
        "destination_kind": "message",
        "message_text": "Bye.",
        "options-TOTAL_FORMS": 2,
        "options-INITIAL_FORMS": 1,
        "options-MIN_NUM_FORMS": 0,
        "options-MAX_NUM_FORMS": 12,
        **_key_row(0, ours, destination_kind="user", destination_user=agent.pk),
        **_key_row(1, None, destination_kind="user", destination_user=theirs.pk),
    }
    client = staff_client_for(tenant_a, Membership.Role.OPERATOR)
    response = client.post(f"/admin/routing/ivrmenu/{menu.pk}/change/", data)
    assert response.status_code == 200  # refused: the form again, with its errors
    html = response.content.decode()
    assert f'<option value="{agent.pk}" selected>our_agent</option>' in html
    assert "their_agent" not in html
    assert menu.options.count() == 1
