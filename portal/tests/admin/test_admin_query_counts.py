"""A tenant owner's main admin pages stay within 15 queries, whatever the number of rows."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from calls.tests.factories import CallRecordFactory
from portal.models import Membership
from portal.tests.factories import AppUserFactory, VirtualNumberFactory
from routing.tests.factories import RoutingRuleFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_at_once")]

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


def _dashboard_queries(client, url="/admin/") -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


# The owner's dashboard with its finished days stored: 6 queries of the page around it (session,
# user, the device that verified the session (two-factor sign-in), roles, projects (read once for
# the picker and the choice), the error list's project; no Django permissions: the pages they
# would open are superusers' (portal.admin.site)), 1 to see
# that the
# rollups cover the last 30 days, 2 reading them (the period's groups with the 7- and 30-day
# totals, calls per app user), 2 over today and yesterday (groups; callers and callees), the last
# 24 hours with the calls in progress, app user names.
DASHBOARD_QUERIES = 13
# The very first view also counts the 28 finished days of the last 30 (2 grouped queries each)
# and stores them: spans read; savepoint, spans locked and read again, spans inserted (and each
# day's counts and app user counts when there are calls), release.
FIRST_DASHBOARD_QUERIES = DASHBOARD_QUERIES + 28 * 2 + 6


def test_owner_dashboard_is_a_fixed_number_of_aggregate_queries(owner, tenant_a):
    """The landing page reads finished days from the rollups and counts today and yesterday on
    indexes: its query count does not grow with the calls, with the cache empty or not."""
    assert _dashboard_queries(owner) == FIRST_DASHBOARD_QUERIES
    cache.clear()
    assert _dashboard_queries(owner) == DASHBOARD_QUERIES  # cold cache, rollups stored
    assert _dashboard_queries(owner) == DASHBOARD_QUERIES  # warm
    for days_ago in range(31):
        CallRecordFactory(project=tenant_a, started_at=timezone.now() - timedelta(days=days_ago))
    cache.clear()
    assert _dashboard_queries(owner) == DASHBOARD_QUERIES
    assert _dashboard_queries(owner, "/admin/?days=30") == DASHBOARD_QUERIES
    # Today: no finished day in the period (no app user read), yesterday counted apart (1 more).
    assert _dashboard_queries(owner, "/admin/?days=1") == DASHBOARD_QUERIES


def test_superuser_dashboard_of_all_tenants_does_not_grow_with_the_tenants(
    admin_client, tenant_a, tenant_b
):
    for project in (tenant_a, tenant_b):
        CallRecordFactory(project=project, started_at=timezone.now() - timedelta(days=3))
    admin_client.get("/admin/")  # stores the finished days of both tenants
    before = _dashboard_queries(admin_client)
    for _ in range(5):
        CallRecordFactory(started_at=timezone.now() - timedelta(days=3))  # a new tenant each
    first = _dashboard_queries(admin_client)  # counts the new tenants' days: all in one go
    assert (first, _dashboard_queries(admin_client)) == (before + 28 * 2 + 8, before)
