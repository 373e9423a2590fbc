"""Every filter of every admin list lists only the staff member's own tenants' rows: a second
tenant's owner walks each list and finds none of the first tenant's values, nor the unassigned
stock, in any filter."""

import re

import pytest
from django.contrib import admin
from django.urls import reverse

from calls.demo import seed_demo_calls
from calls.tests.factories import CallRecordFactory
from portal.devtools import demo
from portal.models import AppUser, Membership, VirtualNumber
from portal.phone import phone_display
from portal.tests.factories import (
    AppUserFactory,
    MembershipFactory,
    ProjectFactory,
    VirtualNumberFactory,
)
from routing.demo import seed_demo_routing
from routing.models import IvrMenu, RingGroup, RoutingRule
from routing.tests.factories import RoutingRuleFactory

pytestmark = pytest.mark.django_db


def _number_forms(number: str) -> set[str]:
    return {number, number.lstrip("+"), phone_display(number)}


@pytest.fixture
def tenant_a_values() -> set[str]:
    """The demo tenant, with its routing and calls, as tenant A; what would give it away."""
    project = demo.seed_demo()
    seed_demo_routing(project)
    seed_demo_calls(project, count=40)
    values = {project.name, project.api_key_sid, demo.OWNER_USERNAME}
    for number in VirtualNumber.objects.exclude(project__isnull=False, project__name="Tenant B"):
        values |= _number_forms(number.number)
    values |= set(AppUser.objects.filter(project=project).values_list("user_id", flat=True))
    for model in (RoutingRule, IvrMenu, RingGroup):
        values |= set(model.objects.filter(project=project).values_list("name", flat=True))
    return {value for value in values if value}


@pytest.fixture
def tenant_b_owner(client):
    tenant_b = ProjectFactory(name="Tenant B")
    number = VirtualNumberFactory(project=tenant_b, number="+842838123456")
    AppUserFactory(project=tenant_b, user_id="b_agent")
    RoutingRuleFactory(project=tenant_b, name="B's rule")
    CallRecordFactory(project=tenant_b, virtual_number=number)
    owner = MembershipFactory(project=tenant_b, role=Membership.Role.OWNER).user
    client.force_login(owner)
    return client


def _filters(html: str) -> str:
    found = re.search(r'id="changelist-filter".*?</nav>', html, re.S)
    return found.group(0) if found else ""


def test_no_list_filter_shows_another_tenants_rows(tenant_a_values, tenant_b_owner):
    client = tenant_b_owner
    lists_with_filters = 0
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = client.get(url)
        if response.status_code != 200:
            continue  # superusers' pages
        filters = _filters(response.content.decode())
        if not filters:
            continue
        lists_with_filters += 1
        leaked = sorted(value for value in tenant_a_values if value in filters)
        assert not leaked, f"{model._meta.label} filters list {leaked}"
    assert lists_with_filters >= 10


def test_the_recordings_number_filter_lists_the_tenants_own_numbers(
    tenant_a_values, tenant_b_owner
):
    html = tenant_b_owner.get("/admin/calls/recording/").content.decode()
    filters = _filters(html)
    assert phone_display("+842838123456") in filters or "+842838123456" in filters
    assert demo.INVENTORY[0] not in filters and phone_display(demo.INVENTORY[0]) not in filters
