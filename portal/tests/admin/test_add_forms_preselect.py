"""Staff with one project find it already chosen on every add form they can open."""

import re

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from portal.models import Membership
from portal.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

SELECTED = re.compile(r'<select name="project"[^>]*>.*?</select>', re.S)


def _add_pages(user) -> list[str]:
    request = RequestFactory().get("/admin/")
    request.user = user
    return [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
        for model, model_admin in admin.site._registry.items()
        if model_admin.has_add_permission(request)
    ]


@pytest.mark.parametrize("role", [Membership.Role.OWNER, Membership.Role.OPERATOR])
def test_every_add_form_has_the_only_project_chosen(client, tenant_a, tenant_b, role):
    user = MembershipFactory(project=tenant_a, role=role).user
    client.force_login(user)
    pages = _add_pages(user)
    assert "/admin/routing/routingrule/add/" in pages
    assert ("/admin/portal/membership/add/" in pages) == (role == Membership.Role.OWNER)
    checked = 0
    for page in pages:
        html = client.get(page).content.decode()
        select = SELECTED.search(html)
        if select is None:
            continue
        checked += 1
        chosen = re.findall(r'<option value="(\d+)" selected>', select.group(0))
        assert chosen == [str(tenant_a.pk)], page
        assert f'value="{tenant_b.pk}"' not in select.group(0), page
    assert checked == len(pages)  # every add form of a tenant row has the project field
