"""Lists of numbers, call events and call records never count a big table exactly."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from calls.tests.factories import CallEventFactory, CallRecordFactory
from portal.admin import paginators
from portal.models import Membership, VirtualNumber
from portal.tenancy.admin import ProjectScopedListFilter
from portal.tests.factories import VirtualNumberFactory

pytestmark = pytest.mark.django_db

BIG_LISTS = ["/admin/portal/virtualnumber/", "/admin/calls/callevent/", "/admin/calls/callrecord/"]


@pytest.fixture
def rows(tenant_a, tenant_b):
    for project in (tenant_a, tenant_b):
        for _ in range(20):
            VirtualNumberFactory(project=project)
            CallEventFactory(project=project)
            CallRecordFactory(project=project)


def _counts(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]


@pytest.mark.parametrize("page", BIG_LISTS)
def test_superuser_big_list_stays_within_budget_and_counts_once(
    admin_client, rows, django_assert_max_num_queries, page
):
    # PostgreSQL adds one query: the row estimate (a small table is then counted anyway)
    with django_assert_max_num_queries(13), CaptureQueriesContext(connection) as captured:
        response = admin_client.get(page)
    assert response.status_code == 200
    assert len(_counts(captured)) <= 1  # no second count for "(N total)"


@pytest.mark.parametrize("page", BIG_LISTS)
def test_staff_big_list_stays_within_budget_filtered_or_not(
    staff_client_for, tenant_a, rows, django_assert_max_num_queries, page
):
    client = staff_client_for(tenant_a, Membership.Role.VIEWER)
    client.get("/admin/")  # the session's first page remembers the time zone
    for query in ("", "?q=8490"):
        with django_assert_max_num_queries(12), CaptureQueriesContext(connection) as captured:
            assert client.get(page + query).status_code == 200
        assert len(_counts(captured)) <= 1


def test_a_filtered_count_stops_at_the_limit(admin_client, rows, monkeypatch):
    monkeypatch.setattr(paginators, "COUNT_LIMIT", 25)
    response = admin_client.get("/admin/calls/callrecord/?q=a")
    assert response.context["cl"].result_count <= 25
    everything = admin_client.get("/admin/portal/virtualnumber/?status__exact=assigned")
    assert everything.context["cl"].result_count == 25  # 40 assigned numbers, counted up to 25


@pytest.mark.postgres
def test_an_unfiltered_big_table_uses_postgres_estimate_not_count(admin_client, rows, monkeypatch):
    monkeypatch.setattr(paginators, "ESTIMATE_ABOVE", 0)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {VirtualNumber._meta.db_table}")
    with CaptureQueriesContext(connection) as captured:
        response = admin_client.get("/admin/portal/virtualnumber/")
    assert "reltuples" in " ".join(q["sql"] for q in captured.captured_queries)
    assert not [sql for sql in _counts(captured) if "virtualnumber" in sql.lower()]
    assert response.context["cl"].result_count == paginators.estimated_rows(
        VirtualNumber, "default"
    )


@pytest.mark.parametrize("page", BIG_LISTS)
def test_no_big_list_reads_its_whole_table_for_its_filters(admin_client, rows, page):
    """Filters and dates come from fixed lists or the projects table: no DISTINCT over the rows
    listed (a call log of millions of rows would be read whole for its sidebar)."""
    with CaptureQueriesContext(connection) as captured:
        assert admin_client.get(page).status_code == 200
    table = page.strip("/").split("/")
    listed = f'"{table[1]}_{table[2]}"'
    scans = [
        q["sql"]
        for q in captured.captured_queries
        if "DISTINCT" in q["sql"].upper() and f"FROM {listed}" in q["sql"]
    ]
    assert scans == []


def test_superusers_of_many_projects_get_no_project_list_to_scroll(
    admin_client, rows, tenant_a, monkeypatch
):
    page = admin_client.get("/admin/calls/callevent/").content.decode()
    assert f"project__id__exact={tenant_a.pk}" in page  # two tenants: both listed
    monkeypatch.setattr(ProjectScopedListFilter, "MAX_LISTED_PROJECTS", 1)
    page = admin_client.get("/admin/calls/callevent/").content.decode()
    assert "project__id__exact=" not in page
    filtered = admin_client.get("/admin/calls/callevent/", {"project__id__exact": tenant_a.pk})
    listed = filtered.context["cl"].result_list
    assert len(listed) == 20 and {e.project_id for e in listed} == {tenant_a.pk}  # still filters
