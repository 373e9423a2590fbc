"""The demo tenant and a second tenant, emulators pointed at this process's portal or at a live
server (real HTTP), and the checks every finished end-to-end test call must pass."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from calls.dashboard import dashboard_figures
from calls.emulator import Emulator, Run
from calls.emulator.project import in_process_transport, portal_for
from calls.models import CallRecord
from portal.devtools import demo
from portal.models import Membership, Project

RECORDS = "/admin/calls/callrecord/"


@pytest.fixture(autouse=True)
def _patient_database(settings):
    """The portal's database deadlines, made for production's fast path, are lengthened: on a
    busy test machine a slow first query would make the portal answer its fallback instead."""
    settings.ROUTING_DATABASE_DEADLINE = 5
    settings.WEBHOOK_DATABASE_DEADLINE = 5


@pytest.fixture
def demo_project(db, tenant_b):
    """The demo seed (flows 1 to 4 and the hotline menu), beside another tenant."""
    call_command("seed_demo", stdout=StringIO())
    return Project.objects.get(stringee_project_id=demo.DEMO_PROJECT_ID)


@pytest.fixture
def emulator_for():
    """`emulator_for(project)`: Stringee for `project`, answered by this process's portal."""

    def make(project: Project, **options) -> Emulator:
        return Emulator(portal_for(project), transport=in_process_transport(), **options)

    return make


@pytest.fixture
def over_http(live_server, settings):
    """`over_http(project)`: Stringee for `project`, sending every request to the live server.

    The SCCOs name the portal's public URL (PUBLIC_BASE_URL); the emulator sends each of them to
    the live server, path and query kept, as it does for a portal tried from its own machine.
    """
    settings.PUBLIC_BASE_URL = "https://portal.example"

    def make(project: Project, **options) -> Emulator:
        return Emulator(portal_for(project, live_server.url), **options)

    return make


@pytest.fixture
def logged_test_call(staff_client_for):
    """`logged_test_call(run, project, status=…, answered=…)`: the call's record, once checked
    as staff see it: its status, answered or not (with talk time when answered), marked as a test
    call, listed in the call log's test calls, and counted nowhere on the dashboard."""

    def check(run: Run, project: Project, *, status: str, answered: bool) -> CallRecord:
        assert run.ended and run.need is None
        record = CallRecord.objects.get(project=project, call_id=run.call_id)
        assert record.is_test
        assert record.status == status
        assert (record.answered_at is not None) is answered
        assert (record.talk_seconds > 0) is answered
        viewer = staff_client_for(project, Membership.Role.VIEWER)
        listed = viewer.get(RECORDS, {"test_call": "yes"}).context["cl"].result_list
        assert run.call_id in [row.call_id for row in listed]
        owner = Membership.objects.filter(project=project).first()
        later = timezone.now() + timedelta(minutes=10)  # the emulated call may end ahead
        figures = dashboard_figures(user=owner.user, project=project, period_days=7, now=later)
        assert (figures.calls_today, figures.period_calls) == (0, 0)
        return record

    return check
