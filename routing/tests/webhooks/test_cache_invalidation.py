"""Changing a project's rules, numbers or users is seen by the very next call, despite the cache."""

import pytest

from portal.services import number_release
from portal.tests.factories import AppUserFactory, VirtualNumberFactory
from routing.tests.factories import RoutingRuleFactory
from routing.tests.helpers import answer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_at_once")]
CALL = {"from_": "84901234567", "to": "84899100001", "fromInternal": "false"}


@pytest.fixture
def rule(tenant_a):
    number = VirtualNumberFactory(project=tenant_a, number="+84899100001")
    return RoutingRuleFactory(
        project=tenant_a,
        called_kind="number",
        called_number=number,
        destination_kind="message",
        message_text="First",
    )


def heard(client, project) -> str:
    return answer(client, project, **CALL).json()[0].get("text")


def test_changed_rule_is_used_by_the_next_call(client, tenant_a, rule):
    assert heard(client, tenant_a) == "First"
    rule.message_text = "Second"
    rule.save()
    assert heard(client, tenant_a) == "Second"


def test_disabled_or_deleted_rule_stops_routing_at_once(client, tenant_a, rule):
    assert heard(client, tenant_a) == "First"
    rule.enabled = False
    rule.save()
    assert heard(client, tenant_a) == tenant_a.fallback_message
    rule.enabled = True
    rule.save()
    rule.delete()
    assert heard(client, tenant_a) == tenant_a.fallback_message


def test_new_higher_priority_rule_takes_over(client, tenant_a, rule):
    assert heard(client, tenant_a) == "First"
    RoutingRuleFactory(
        project=tenant_a, priority=1, destination_kind="message", message_text="Override"
    )
    assert heard(client, tenant_a) == "Override"


def test_released_number_no_longer_counts_as_the_projects(client, tenant_a, rule):
    answer(client, tenant_a, from_="84901234567", to="84899100001", fromInternal="true")
    number_release(number=rule.called_number)
    response = answer(client, tenant_a, from_="user_1", to="84899100001", fromInternal="true")
    assert response.json() == [{"action": "talk", "text": tenant_a.fallback_message}]


def test_deactivated_app_user_is_no_longer_reachable_by_default(client, tenant_a):
    bob = AppUserFactory(project=tenant_a, user_id="bob")
    assert (
        answer(client, tenant_a, from_="alice", to="bob", fromInternal="true").json()[0]["action"]
        == "connect"
    )
    bob.is_active = False
    bob.save()
    assert (
        answer(client, tenant_a, from_="alice", to="bob", fromInternal="true").json()[0]["action"]
        == "talk"
    )


def test_app_user_of_another_project_is_not_connected(client, tenant_a, tenant_b):
    AppUserFactory(project=tenant_b, user_id="bob")
    assert (
        answer(client, tenant_a, from_="alice", to="bob", fromInternal="true").json()[0]["action"]
        == "talk"
    )


def test_deleting_a_project_with_rules_menus_and_users_leaves_no_routing_table(tenant_a):
    from routing.models import RoutingTable
    from routing.tests.factories import IvrMenuFactory

    user = AppUserFactory(project=tenant_a)
    menu = IvrMenuFactory(project=tenant_a, destination_kind="user", destination_user=user)
    RoutingRuleFactory(project=tenant_a, destination_kind="menu", destination_menu=menu)
    RoutingRuleFactory(project=tenant_a, destination_user=user)
    assert RoutingTable.objects.filter(project=tenant_a).exists()
    tenant_a.delete()
    assert not RoutingTable.objects.exists()
