"""A tenant owner's main admin pages stay within 15 queries, whatever the number of rows."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from calls.tests.factories import CallRecordFactory
from portal.models import Membership
from portal.tests.factories import AppUserFactory, VirtualNumberFactory
from routing.tests.factories import RoutingRuleFactory

pytestmark = pytest.mark.django_db

MAX_QUERIES = 15


@pytest.fixture
def owner(staff_client_for, tenant_a, tenant_b):
    for project in (tenant_a, tenant_b):
        for _ in range(5):
            VirtualNumberFactory(project=project)
            AppUserFactory(project=project)
            RoutingRuleFactory(project=project)
            CallRecordFactory(project=project)
    client = staff_client_for(tenant_a, Membership.Role.OWNER)
    client.get("/admin/routing/")  # a session's first page remembers the staff member's time zone
    return client


@pytest.mark.parametrize(
    "page",
    [
        "/admin/portal/project/",
        "/admin/portal/project/{project}/change/",
        "/admin/portal/virtualnumber/",
        "/admin/portal/appuser/",
        "/admin/routing/routingrule/",
        "/admin/routing/routingrule/{rule}/change/",
        "/admin/routing/routingrule/add/",
        "/admin/routing/ivrmenu/",
        "/admin/calls/callrecord/",
        "/admin/calls/callevent/",
        "/admin/routing/routingerrorlog/",
    ],
)
def test_owner_page_stays_within_the_query_budget(
    owner, tenant_a, django_assert_max_num_queries, page
):
    rule = tenant_a.routing_rules.first()
    url = page.format(project=tenant_a.pk, rule=rule.pk)
    with django_assert_max_num_queries(MAX_QUERIES):
        assert owner.get(url).status_code == 200


def test_owner_dashboard_is_a_fixed_number_of_aggregate_queries(owner, tenant_a):
    """The landing page aggregates on indexes: its query count does not grow with the calls."""

    def queries() -> int:
        cache.clear()  # finished days are cached: count the cold page both times
        with CaptureQueriesContext(connection) as captured:
            assert owner.get("/admin/").status_code == 200
        return len(captured)

    before = queries()
    for _ in range(30):
        CallRecordFactory(project=tenant_a)
    assert queries() == before <= 60
