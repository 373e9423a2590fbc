"""Staff who own one project and only view another change only the first, from every door of a
list: "Delete selected" and editable columns included."""

import pytest

from portal.models import Membership
from portal.tests.factories import MembershipFactory
from routing.models import RoutingRule
from routing.tests.factories import RoutingRuleFactory

pytestmark = pytest.mark.django_db

LIST = "/admin/routing/routingrule/"


@pytest.fixture
def mixed(client, tenant_a, tenant_b):
    """An owner of tenant A who is a viewer of tenant B, with a rule in each."""
    member = MembershipFactory(project=tenant_a, role=Membership.Role.OWNER)
    Membership.objects.create(user=member.user, project=tenant_b, role=Membership.Role.VIEWER)
    client.force_login(member.user)
    mine = RoutingRuleFactory(project=tenant_a, message_text="Hi", priority=10)
    theirs = RoutingRuleFactory(project=tenant_b, message_text="Hi", priority=10)
    return client, mine, theirs


def test_delete_selected_over_a_viewed_projects_rule_deletes_nothing(mixed):
    client, _mine, theirs = mixed
    page = client.post(LIST, {"action": "delete_selected", "_selected_action": [theirs.pk]})
    assert "Yes, I’m sure" not in page.content.decode()
    response = client.post(
        LIST, {"action": "delete_selected", "_selected_action": [theirs.pk], "post": "yes"}
    )
    assert response.status_code == 403
    assert RoutingRule.objects.filter(pk=theirs.pk).exists()


def test_delete_selected_of_own_rules_still_works(mixed):
    client, mine, _theirs = mixed
    client.post(LIST, {"action": "delete_selected", "_selected_action": [mine.pk], "post": "yes"})
    assert not RoutingRule.objects.filter(pk=mine.pk).exists()


def test_no_editable_columns_when_some_rows_are_view_only(mixed):
    client, _mine, theirs = mixed
    html = client.get(LIST).content.decode()
    assert 'name="form-0-priority"' not in html
    client.post(
        LIST,
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": str(theirs.pk),
            "form-0-priority": "1",
            "_save": "Save",
        },
    )
    theirs.refresh_from_db()
    assert theirs.priority == 10


def test_an_owner_of_one_project_keeps_editable_columns(staff_client_for, tenant_a):
    rule = RoutingRuleFactory(project=tenant_a, message_text="Hi", priority=10)
    client = staff_client_for(tenant_a, Membership.Role.OWNER)
    assert 'name="form-0-priority"' in client.get(LIST).content.decode()
    response = client.post(
        LIST,
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": str(rule.pk),
            "form-0-priority": "5",
            "form-0-enabled": "on",
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.priority == 5


def test_viewers_get_a_read_only_list(staff_client_for, tenant_a):
    RoutingRuleFactory(project=tenant_a, message_text="Hi")
    client = staff_client_for(tenant_a, Membership.Role.VIEWER)
    html = client.get(LIST).content.decode()
    assert 'name="form-0-priority"' not in html and 'name="action"' not in html
