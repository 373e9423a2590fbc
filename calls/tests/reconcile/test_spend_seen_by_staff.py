"""What Stringee charged, as tenant staff see it: per day and per number on the dashboard, each
call's charge in the CSV export (exact decimals), and the call-log mark in the list and on the
call's page. Another tenant's charges and calls are never shown."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from calls.dashboard import dashboard_figures
from calls.reconcile import call_log_reconcile
from calls.tests.factories import CallRecordFactory
from portal.stringee.call_log import read_row
from portal.tests.factories import VirtualNumberFactory
from portal.tests.helpers import exported_csv

pytestmark = pytest.mark.django_db
RECORDS = "/admin/calls/callrecord/"


def log_row(project, call_id, start, amount, to_number="842473000111"):
    start_ms = int(start.timestamp() * 1000)
    return read_row(
        {
            "id": call_id,
            "project_id": project.stringee_project_id,
            "from_number": "84912345678",
            "to_number": to_number,
            "from_internal": 0,
            "to_internal": 0,
            "start_time": start_ms,
            "answer_time": start_ms + 2000,
            "stop_time": start_ms + 62_000,
            "amount": amount,
            "created": start_ms // 1000,
        }
    )


@pytest.fixture
def charged(tenant_a, tenant_b):
    """Tenant A: three charged calls (two days, two numbers); tenant B: one dear call."""
    for project in (tenant_a, tenant_b):
        project.time_zone = "Asia/Ho_Chi_Minh"
        project.save()
    hotline = VirtualNumberFactory(project=tenant_a, number="+842473000111", label="Hotline")
    sales = VirtualNumberFactory(project=tenant_a, number="+842473000222", label="Sales")
    VirtualNumberFactory(project=tenant_b, number="+842473000999")
    now = timezone.now()
    call_log_reconcile(
        project=tenant_a,
        rows=[
            log_row(tenant_a, "a-1", now - timedelta(minutes=30), "1100.10"),
            log_row(tenant_a, "a-2", now - timedelta(minutes=20), "0.20", "842473000222"),
            log_row(tenant_a, "a-3", now - timedelta(days=4), "2000.05"),
        ],
    )
    call_log_reconcile(
        project=tenant_b,
        rows=[log_row(tenant_b, "b-1", now - timedelta(minutes=10), "999999", "842473000999")],
    )
    return hotline, sales


def test_the_dashboard_sums_charges_per_day_and_per_number_exactly(
    staff_client_for, tenant_a, charged
):
    hotline, sales = charged
    page = staff_client_for(tenant_a).get("/admin/", {"days": 7})
    figures = page.context["figures"]
    assert figures.spend == Decimal("3100.35")
    assert isinstance(figures.spend, Decimal)
    per_number = {number: amount for number, _app, amount in figures.spend_per_number}
    assert per_number == {hotline: Decimal("3100.15"), sales: Decimal("0.20")}
    per_day = [amount for _day, amount in figures.spend_per_day]
    assert len(per_day) == 7
    assert sum(per_day) == Decimal("3100.35")
    assert Decimal("2000.05") in per_day
    text = page.content.decode()
    assert "3,100.35 ₫" in text
    assert "999,999" not in text  # tenant B's charge


def test_another_tenants_dashboard_shows_only_its_own_charges(staff_client_for, tenant_b, charged):
    figures = staff_client_for(tenant_b).get("/admin/").context["figures"]
    assert figures.spend == Decimal("999999")
    assert len(figures.spend_per_number) == 1


def test_spend_holds_with_the_finished_days_counted_into_rollups(tenant_a, charged, admin_user):
    first = dashboard_figures(user=admin_user, project=tenant_a, period_days=30)
    again = dashboard_figures(user=admin_user, project=tenant_a, period_days=30)
    assert first.spend == again.spend == Decimal("3100.35")


def test_the_vietnamese_dashboard_groups_dong_the_vietnamese_way(
    staff_client_for, tenant_a, charged
):
    client = staff_client_for(tenant_a)
    client.cookies["django_language"] = "vi"
    text = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "3.100,35 ₫" in text


@pytest.mark.usefixtures("on_commit_at_once", "background_jobs_at_once")
def test_the_csv_export_carries_each_calls_exact_charge(staff_client_for, tenant_a, charged):
    CallRecordFactory(project=tenant_a, call_id="events-only")
    body = exported_csv(staff_client_for(tenant_a), f"{RECORDS}export/")
    rows = {row["Call id"]: row for row in csv.DictReader(io.StringIO(body))}
    assert set(rows) == {"a-1", "a-2", "a-3", "events-only"}  # never tenant B's b-1
    assert rows["a-2"]["Charge (VND)"] == "0.2000"
    assert rows["a-1"]["From Stringee's call log"] == "added"
    assert rows["events-only"]["Charge (VND)"] == ""
    assert sum(Decimal(row["Charge (VND)"] or 0) for row in rows.values()) == Decimal("3100.35")


def test_the_list_and_the_calls_page_say_it_came_from_the_call_log(
    staff_client_for, tenant_a, tenant_b, charged
):
    client = staff_client_for(tenant_a)
    listing = client.get(RECORDS).content.decode()
    assert "added from Stringee&#x27;s log" in listing
    assert "1,100.10 ₫" in listing
    record = tenant_a.call_records.get(call_id="a-1")
    page = client.get(f"{RECORDS}{record.pk}/change/").content.decode()
    assert "Added from Stringee&#x27;s call log" in page
    assert "read from Stringee&#x27;s call log" in page  # the timeline's events
    assert "1,100.10 ₫" in page
    theirs = tenant_b.call_records.get(call_id="b-1")
    assert client.get(f"{RECORDS}{theirs.pk}/change/").status_code in (302, 404)
