"""The answer_url uses at most 2 SQL queries with a cold cache and none when warm."""

import pytest

from portal.tests.factories import AppUserFactory, VirtualNumberFactory
from routing.tests.factories import RoutingRuleFactory
from routing.tests.helpers import answer, take_decisions

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_at_once")]


@pytest.fixture
def busy_tenant(tenant_a, tenant_b):
    """Tenant A with a few rules; tenant B with many, which A's calls must not pay for."""
    number = VirtualNumberFactory(project=tenant_a, number="+84899100001")
    agent = AppUserFactory(project=tenant_a, user_id="agent")
    for priority in range(5):
        RoutingRuleFactory(
            project=tenant_a,
            priority=priority,
            called_kind="pattern",
            called_pattern=f"^9{priority}",
        )
    RoutingRuleFactory(
        project=tenant_a,
        priority=50,
        called_kind="number",
        called_number=number,
        destination_user=agent,
    )
    for priority in range(40):
        RoutingRuleFactory(project=tenant_b, priority=priority)
    return tenant_a


def test_answer_url_is_two_queries_cold_and_zero_warm(
    client, busy_tenant, django_assert_num_queries
):
    params = {"from_": "84901234567", "to": "84899100001", "fromInternal": "false", "uuid": "u-1"}
    with django_assert_num_queries(2):
        cold = answer(client, busy_tenant, **params)
    with django_assert_num_queries(0):
        warm = answer(client, busy_tenant, **params)
    assert cold.json() == warm.json()
    assert cold.json()[0]["to"]["number"] == "agent"


def test_decision_is_handed_to_the_calls_app_without_sql(
    client, busy_tenant, django_assert_num_queries
):
    answer(
        client, busy_tenant, from_="84901234567", to="84899100001", fromInternal="false", uuid="u-2"
    )
    (decision,) = [entry["decision"] for entry in take_decisions(busy_tenant.pk, "u-2")]
    assert decision["rule_name"].startswith("Rule")
    assert decision["scco"][0]["action"] == "connect"
