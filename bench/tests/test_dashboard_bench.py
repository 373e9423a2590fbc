"""The dashboard bench's data give the figures the records hold, and its timings run in every
state (no rollups, rollups stored with the cache empty, warm)."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from bench.dashboard import STATES, load, measure
from calls.dashboard import dashboard_figures
from calls.models import CallRecord, DailyCallCount

pytestmark = pytest.mark.django_db


def test_figures_on_the_bench_data_equal_a_count_of_the_records():
    project, owner = load(calls=600, days=40)
    zone = ZoneInfo(project.time_zone)
    today = timezone.now().astimezone(zone).date()
    since = datetime.combine(today - timedelta(days=29), time(0), tzinfo=zone)
    mine = CallRecord.objects.filter(project=project, started_at__gte=since)
    figures = dashboard_figures(user=owner, project=project, period_days=30)
    assert DailyCallCount.objects.filter(project=project).exists()  # finished days were stored
    for f in (figures, dashboard_figures(user=owner, project=project, period_days=30)):
        assert f.calls_30_days == f.period_calls == mine.count()
        answered = mine.filter(status=CallRecord.Status.ANSWERED).count()
        assert f.rates["answered"] == round(100 * answered / mine.count(), 1)
        assert sum(n for _, n in f.by_number) == mine.count()


def test_the_bench_times_each_period_state_and_viewer(capsys):
    project, owner = load(calls=300, days=40)
    measure(project, owner, User.objects.get(username="bench-admin"), runs=1)
    lines = capsys.readouterr().out.splitlines()
    timed = [line for line in lines if "dashboard_figures median" in line]
    assert len(timed) == 3 * 2 * len(STATES)
    assert all("GET /admin/?days=" in line for line in timed)
