"""Test calls are in the call log, marked in words, but never in the dashboard's figures or in
exports unless the list is filtered to them; another tenant's staff cannot open them."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from calls.dashboard import dashboard_figures
from calls.emulator import CallSetup
from calls.models import CallRecord
from calls.tests.factories import CallEventFactory, CallRecordFactory
from portal.models import Membership
from portal.tests.factories import MembershipFactory
from portal.tests.helpers import exported_csv

pytestmark = pytest.mark.usefixtures("on_commit_at_once", "background_jobs_at_once")

RECORDS = "/admin/calls/callrecord/"
EVENTS = "/admin/calls/callevent/"
PN1, PN2 = "84899199866", "84901234567"


@pytest.fixture
def test_call(demo_project, emulator_for) -> CallRecord:
    """A call placed with the emulator (answered by user_1), beside a real one of the project."""
    CallRecordFactory(project=demo_project, call_id="call-vn-1-REAL-1", status="answered")
    run = emulator_for(demo_project).run(CallSetup(from_=PN2, to=PN1))
    return CallRecord.objects.get(call_id=run.call_id)


def _call_ids(text: str) -> list[str]:
    return sorted(row["Call id"] for row in csv.DictReader(io.StringIO(text)))


def test_the_dashboard_counts_the_real_call_only(demo_project, test_call):
    owner = MembershipFactory(project=demo_project, role=Membership.Role.OWNER).user
    now = timezone.now() + timedelta(minutes=5)  # the emulated call may end ahead of the clock
    figures = dashboard_figures(user=owner, project=demo_project, period_days=7, now=now)
    assert test_call.is_test and test_call.status == "answered"
    assert figures.calls_today == 1 and figures.period_calls == 1


def test_finished_days_count_no_test_call(demo_project):
    owner = MembershipFactory(project=demo_project, role=Membership.Role.OWNER).user
    three_days_ago = timezone.now() - timedelta(days=3)
    CallRecordFactory(project=demo_project, started_at=three_days_ago, status="answered")
    CallRecordFactory(
        project=demo_project,
        call_id="call-test-ABCDEFGHJK-1",
        started_at=three_days_ago,
        status="answered",
        is_test=True,
    )
    figures = dashboard_figures(user=owner, project=demo_project, period_days=7)
    assert figures.calls_7_days == 1


def test_the_call_log_lists_a_test_call_marked_in_words(staff_client_for, test_call):
    client = staff_client_for(test_call.project, "viewer")
    page = client.get(RECORDS).content.decode()
    assert test_call.call_id in page and "Test call" in page
    story = client.get(f"{RECORDS}{test_call.pk}/change/").content.decode()
    assert 'id="story-test-call"' in story and "not counted on the dashboard" in story


def test_the_call_log_says_test_call_in_vietnamese(staff_client_for, test_call):
    client = staff_client_for(test_call.project, "viewer")
    page = client.get(RECORDS, headers={"accept-language": "vi"}).content.decode()
    assert "Test call" not in page and 'class="test-call"' in page


def test_the_test_calls_filter_shows_them_alone_or_leaves_them_out(staff_client_for, test_call):
    client = staff_client_for(test_call.project, "viewer")
    only = client.get(RECORDS, {"test_call": "yes"}).context["cl"].result_list
    real = client.get(RECORDS, {"test_call": "no"}).context["cl"].result_list
    assert [r.call_id for r in only] == [test_call.call_id]
    assert [r.call_id for r in real] == ["call-vn-1-REAL-1"]


def test_an_export_leaves_test_calls_out_unless_filtered_to_them(staff_client_for, test_call):
    client = staff_client_for(test_call.project, "viewer")
    assert _call_ids(exported_csv(client, f"{RECORDS}export/")) == ["call-vn-1-REAL-1"]
    asked = exported_csv(client, f"{RECORDS}export/", {"test_call": "yes"})
    assert _call_ids(asked) == [test_call.call_id]


def test_an_export_of_events_leaves_test_calls_out(staff_client_for, demo_project, test_call):
    CallEventFactory(project=demo_project, call_id="call-vn-1-REAL-1")
    client = staff_client_for(demo_project, "viewer")
    assert set(_call_ids(exported_csv(client, f"{EVENTS}export/"))) == {"call-vn-1-REAL-1"}


def test_another_tenants_staff_cannot_open_a_test_call(staff_client_for, tenant_b, test_call):
    client = staff_client_for(tenant_b, "owner")
    assert client.get(f"{RECORDS}{test_call.pk}/change/").status_code in (302, 404)
    assert test_call.call_id not in client.get(RECORDS).content.decode()
