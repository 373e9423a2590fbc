"""The admin's delete pages refuse, naming them, to delete what rules still use (no error page)."""

import pytest
from django.urls import reverse

from portal.models import AppUser, Membership
from portal.tests.factories import AppUserFactory
from routing.tests.factories import RoutingRuleFactory

pytestmark = pytest.mark.django_db


def test_the_delete_page_of_an_app_user_in_use_names_the_rule_and_deletes_nothing(
    staff_client_for, tenant_a
):
    client = staff_client_for(tenant_a, Membership.Role.OWNER)
    agent = AppUserFactory(project=tenant_a, user_id="agent_1")
    RoutingRuleFactory(project=tenant_a, name="Sales", destination_user=agent)
    url = reverse("admin:portal_appuser_delete", args=[agent.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Sales" in page.content.decode()
    assert client.post(url, {"post": "yes"}).status_code == 200
    assert AppUser.objects.filter(pk=agent.pk).exists()


def test_the_bulk_delete_of_app_users_in_use_deletes_none(staff_client_for, tenant_a):
    client = staff_client_for(tenant_a, Membership.Role.OWNER)
    used, unused = AppUserFactory(project=tenant_a), AppUserFactory(project=tenant_a)
    RoutingRuleFactory(project=tenant_a, name="Sales", destination_user=used)
    response = client.post(
        reverse("admin:portal_appuser_changelist"),
        {"action": "delete_selected", "_selected_action": [used.pk, unused.pk], "post": "yes"},
    )
    assert response.status_code == 200
    assert "Sales" in response.content.decode()
    assert AppUser.objects.filter(pk__in=[used.pk, unused.pk]).count() == 2
