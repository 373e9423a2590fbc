"""Every form's link to a number, app user, rule or menu is a tenant-scoped autocomplete."""

import pytest
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.test import RequestFactory

from portal.models import Membership
from portal.tenancy.admin import AUTOCOMPLETE_MODELS
from portal.tests.factories import AppUserFactory, VirtualNumberFactory
from routing.tests.factories import RoutingRuleFactory

pytestmark = pytest.mark.django_db

AUTOCOMPLETE = "/admin/autocomplete/"


def _big_foreign_keys(model) -> list[str]:
    return [
        field.name
        for field in model._meta.fields
        if field.is_relation
        and field.related_model is not None
        and field.related_model._meta.label_lower in AUTOCOMPLETE_MODELS
    ]


def _widgets(form_class) -> dict:
    return {
        name: getattr(field.widget, "widget", field.widget)
        for name, field in form_class.base_fields.items()
    }


def test_every_admin_form_links_big_tables_through_an_autocomplete(admin_user):
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    checked = []
    for model, model_admin in admin.site._registry.items():
        admins = [(model, model_admin)] + [
            (inline.model, inline) for inline in model_admin.get_inline_instances(request)
        ]
        for form_model, form_admin in admins:
            keys = _big_foreign_keys(form_model)
            if not keys:
                continue
            if form_admin is model_admin:
                widgets = _widgets(form_admin.get_form(request))
            else:
                widgets = _widgets(form_admin.get_formset(request).form)
            for name in keys:
                if name not in widgets:
                    continue  # shown read-only (call logs, masking sessions)
                assert isinstance(widgets[name], AutocompleteSelect), (form_model, name)
                related = form_model._meta.get_field(name).related_model
                assert admin.site._registry[related].search_fields, related
                checked.append(f"{form_model._meta.label_lower}.{name}")
    assert {
        "routing.routingrule.called_number",
        "routing.routingrule.called_user",
        "routing.routingrule.caller_id",
        "routing.routingrule.destination_user",
        "routing.routingrule.destination_menu",
        "routing.ivroption.destination_user",
        "routing.ivroption.destination_menu",
        "routing.ringgroupmember.user",
        "routing.maskingpoolnumber.number",
    } <= set(checked)


def _autocomplete(client, model_name: str, field_name: str, term: str) -> list[str]:
    response = client.get(
        AUTOCOMPLETE,
        {"app_label": "routing", "model_name": model_name, "field_name": field_name, "term": term},
    )
    assert response.status_code == 200
    return [row["text"] for row in response.json()["results"]]


def test_autocomplete_never_offers_another_tenants_numbers_users_or_menus(
    staff_client_for, tenant_a, tenant_b
):
    VirtualNumberFactory(project=tenant_a, number="+84899100001")
    VirtualNumberFactory(project=tenant_b, number="+84899100002")
    AppUserFactory(project=tenant_a, user_id="agent_a")
    AppUserFactory(project=tenant_b, user_id="agent_b")
    RoutingRuleFactory(project=tenant_b)  # tenant B has data in every table
    client = staff_client_for(tenant_a, Membership.Role.OWNER)

    assert _autocomplete(client, "routingrule", "called_number", "84899") == ["+84899100001"]
    assert _autocomplete(client, "routingrule", "called_number", "+84899100002") == []
    assert _autocomplete(client, "routingrule", "destination_user", "agent") == ["agent_a"]
    assert _autocomplete(client, "routingrule", "destination_user", "agent_b") == []
    assert _autocomplete(client, "ringgroupmember", "user", "") == ["agent_a"]


def test_autocomplete_for_a_superuser_offers_every_tenants_rows(admin_client, tenant_a, tenant_b):
    AppUserFactory(project=tenant_a, user_id="agent_a")
    AppUserFactory(project=tenant_b, user_id="agent_b")
    assert sorted(_autocomplete(admin_client, "routingrule", "called_user", "agent")) == [
        "agent_a",
        "agent_b",
    ]


def test_the_rule_form_renders_the_chosen_number_without_listing_every_number(
    staff_client_for, tenant_a
):
    number = VirtualNumberFactory(project=tenant_a, number="+84899100001")
    for n in range(30):
        VirtualNumberFactory(project=tenant_a, number=f"+848991002{n:02d}")
    rule = RoutingRuleFactory(project=tenant_a, called_kind="number", called_number=number)
    client = staff_client_for(tenant_a, Membership.Role.OWNER)
    html = client.get(f"/admin/routing/routingrule/{rule.pk}/change/").content.decode()
    assert "admin-autocomplete" in html
    assert "+84899100001" in html
    assert "+84899100229" not in html  # other numbers come from the search, not the page
