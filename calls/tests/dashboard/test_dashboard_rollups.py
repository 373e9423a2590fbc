"""Finished days from the daily rollups: the same figures as counting the records, hand-counted;
local days of the project's time zone; late events inside the live window; rollup_calls and
prune_calls keeping them in step with the records."""

from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.utils import timezone

from calls import rollups
from calls.dashboard import chosen_project, dashboard_figures
from calls.models import CallRecord, DailyAppUserCount, DailyCallCount, RollupSpan
from calls.tests.factories import CallRecordFactory, call_event, ended, event_url_of, post_json
from portal.models import Membership, Project
from portal.tests.factories import AppUserFactory, MembershipFactory, VirtualNumberFactory

pytestmark = pytest.mark.django_db
HCM = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 3, 10, 15, 0, tzinfo=HCM)


def at(days_ago: int, hour: int, minute: int = 0, now: datetime = NOW) -> datetime:
    return (now - timedelta(days=days_ago)).replace(hour=hour, minute=minute)


def owner_of(project: Project):
    return MembershipFactory(project=project, role=Membership.Role.OWNER).user


def record(project: Project, started: datetime, status: str, direction: str, **fields):
    return CallRecordFactory(
        project=project,
        started_at=started,
        status=status,
        direction=direction,
        **{"from_user": "", "ring_seconds": 0, "talk_seconds": 0, **fields},
    )


def stored_calls(project: Project, zone: str) -> dict:
    """Calls per stored day of `project` in `zone`."""
    rows = DailyCallCount.objects.filter(project=project, time_zone=zone).values("day")
    return {row["day"].isoformat(): row["n"] for row in rows.annotate(n=Sum("calls"))}


@pytest.fixture
def calls(tenant_a, tenant_b):
    """Seven calls of tenant A over 20 days (counted by hand below), four of tenant B on the
    same days."""
    n1 = VirtualNumberFactory(project=tenant_a, number="+84899100001")
    n2 = VirtualNumberFactory(project=tenant_a, number="+84899100002")
    AppUserFactory(project=tenant_a, user_id="agent_1", display_name="Agent One")
    rows = [
        # days ago (2 and more: finished, stored), status, direction, number, users, ring, talk
        (0, "failed", "app_to_phone", None, {"from_user": "agent_2"}, 0, 0),
        (1, "answered", "phone_to_phone", n2, {}, 10, 30),
        (2, "answered", "phone_to_app", n1, {"to_user": "agent_1"}, 4, 100),
        (2, "busy", "app_to_phone", n2, {"from_user": "agent_1"}, 6, 0),
        (5, "no_answer", "phone_to_app", n1, {"to_user": "agent_2"}, 20, 0),
        (5, "answered", "app_to_app", None, {"from_user": "agent_1", "to_user": "agent_2"}, 2, 50),
        (20, "cancelled", "phone_to_app", n1, {}, 8, 0),
    ]
    for days_ago, status, direction, number, users, ring, talk in rows:
        record(
            tenant_a,
            at(days_ago, 10),
            status,
            direction,
            virtual_number=number,
            ring_seconds=ring,
            talk_seconds=talk,
            **users,
        )
    other = VirtualNumberFactory(project=tenant_b, number="+84899200001")
    for days_ago in (0, 2, 5, 20):
        record(
            tenant_b,
            at(days_ago, 11),
            "answered",
            "phone_to_app",
            virtual_number=other,
            to_user="agent_1",
            ring_seconds=99,
            talk_seconds=999,
        )
    return n1, n2


def test_thirty_days_from_rollups_match_the_hand_count(tenant_a, calls):
    n1, n2 = calls
    owner = owner_of(tenant_a)
    first = dashboard_figures(user=owner, project=tenant_a, period_days=30, now=NOW)
    assert stored_calls(tenant_a, "Asia/Ho_Chi_Minh") == {
        "2026-02-18": 1,
        "2026-03-05": 2,
        "2026-03-08": 2,
    }  # finished days only: yesterday and today are counted live
    again = dashboard_figures(user=owner, project=tenant_a, period_days=30, now=NOW)
    for f in (first, again):  # counted and stored, then read back
        assert (f.calls_today, f.calls_7_days, f.calls_30_days) == (1, 6, 7)
        assert (f.period_calls, f.ended_calls) == (7, 7)
        assert f.rates == {"answered": 42.9, "missed": 28.6, "busy": 14.3, "failed": 14.3}
        assert f.avg_ring_seconds == 7.1  # 50 s / 7 calls
        assert f.avg_talk_seconds == 60.0  # (100 + 30 + 50) / 3 answered calls
        assert dict(f.by_direction) == {
            "Phone → app": 3,
            "App → phone": 2,
            "App → app": 1,
            "Phone → phone": 1,
        }
        assert f.busiest_numbers == [(n1, 3), (n2, 2)]
        assert dict(f.by_number) == {
            "+84899100001": 3,
            "+84899100002": 2,
            "No number (app calls)": 2,
        }
        assert f.busiest_users == [("Agent One (agent_1)", 3), ("agent_2", 3)]


def test_seven_days_add_stored_and_live_days(tenant_a, calls):
    f = dashboard_figures(user=owner_of(tenant_a), project=tenant_a, period_days=7, now=NOW)
    assert (f.calls_today, f.calls_7_days, f.calls_30_days, f.period_calls) == (1, 6, 7, 6)
    assert f.rates == {"answered": 50.0, "missed": 16.7, "busy": 16.7, "failed": 16.7}
    assert (f.avg_ring_seconds, f.avg_talk_seconds) == (7.0, 60.0)
    assert f.busiest_users == [("Agent One (agent_1)", 3), ("agent_2", 3)]
    today = dashboard_figures(user=owner_of(tenant_a), project=tenant_a, period_days=1, now=NOW)
    assert (today.period_calls, today.rates["failed"], today.calls_7_days) == (1, 100.0, 6)


def test_another_tenants_calls_never_count_in_the_rollups(admin_user, tenant_a, tenant_b, calls):
    owner_a, owner_b = owner_of(tenant_a), owner_of(tenant_b)
    before = dashboard_figures(user=owner_a, project=tenant_a, period_days=30, now=NOW)
    b = dashboard_figures(user=owner_b, project=tenant_b, period_days=30, now=NOW)
    after = dashboard_figures(user=owner_a, project=tenant_a, period_days=30, now=NOW)
    assert (b.calls_30_days, b.avg_ring_seconds, b.busiest_users) == (4, 99.0, [("agent_1", 4)])
    assert (after.calls_30_days, after.avg_ring_seconds) == (before.calls_30_days, 7.1)
    assert after.busiest_users == [("Agent One (agent_1)", 3), ("agent_2", 3)]
    assert sum(stored_calls(tenant_a, "Asia/Ho_Chi_Minh").values()) == 5  # A's finished days
    assert sum(stored_calls(tenant_b, "Asia/Ho_Chi_Minh").values()) == 3
    agent_1 = DailyAppUserCount.objects.filter(user_id="agent_1")
    assert sorted(agent_1.values_list("project", "calls")) == [
        (tenant_a.pk, 1),  # 5 days ago
        (tenant_a.pk, 2),  # 2 days ago: answered the call to n1 and made the busy call
        (tenant_b.pk, 1),
        (tenant_b.pk, 1),
        (tenant_b.pk, 1),
    ]
    # A's owner asking for B's project gets no project picked and sees A's figures only.
    mine = dashboard_figures(
        user=owner_a, project=chosen_project(owner_a, str(tenant_b.pk)), period_days=30, now=NOW
    )
    assert mine.calls_30_days == 7
    everyone = dashboard_figures(user=admin_user, project=None, period_days=30, now=NOW)
    assert (everyone.calls_today, everyone.calls_30_days) == (1 + 1, 7 + 4)


def test_days_are_local_days_of_the_project_time_zone(admin_user, tenant_a):
    """Los Angeles: 23:50 and 00:10 local fall on two days (the same UTC day); the day the
    clocks go forward (2026-03-08, 23 hours long) holds its first and last minutes."""
    tenant_a.time_zone = "America/Los_Angeles"
    tenant_a.save()
    la = ZoneInfo("America/Los_Angeles")
    now = datetime(2026, 3, 10, 15, 0, tzinfo=la)
    for started in (
        datetime(2026, 3, 3, 23, 50, tzinfo=la),  # 2026-03-04 07:50 UTC
        datetime(2026, 3, 4, 0, 10, tzinfo=la),  # 2026-03-04 08:10 UTC
        datetime(2026, 3, 7, 23, 59, tzinfo=la),
        datetime(2026, 3, 8, 0, 1, tzinfo=la),
        datetime(2026, 3, 8, 23, 59, tzinfo=la),
    ):
        record(tenant_a, started, "answered", "phone_to_app")
    owner = owner_of(tenant_a)
    f = dashboard_figures(user=owner, project=tenant_a, period_days=7, now=now)
    assert (f.time_zone, f.calls_7_days, f.calls_30_days) == ("America/Los_Angeles", 4, 5)
    assert stored_calls(tenant_a, "America/Los_Angeles") == {
        "2026-03-03": 1,
        "2026-03-04": 1,
        "2026-03-07": 1,
        "2026-03-08": 2,
    }
    # The "all tenants" view counts the portal's local days (Ho Chi Minh City, UTC+7), apart.
    dashboard_figures(user=admin_user, project=None, period_days=7, now=now)
    assert stored_calls(tenant_a, "Asia/Ho_Chi_Minh") == {
        "2026-03-04": 2,
        "2026-03-08": 2,
        "2026-03-09": 1,  # 23:59 on the 8th in Los Angeles
    }
    assert stored_calls(tenant_a, "America/Los_Angeles")["2026-03-08"] == 2  # untouched
    # A project moving to another time zone gets its days counted in the new one.
    tenant_a.time_zone = "Asia/Ho_Chi_Minh"
    tenant_a.save()
    moved = dashboard_figures(user=owner, project=tenant_a, period_days=7, now=now)
    assert (moved.time_zone, moved.calls_7_days, moved.calls_30_days) == (
        "Asia/Ho_Chi_Minh",
        3,  # it is 2026-03-11 there: the calls of 2026-03-04 are out of the week
        5,
    )


def test_a_late_event_for_yesterday_shows_up(client, tenant_a, calls):
    """Yesterday is counted live: an event arriving today changes it at once."""
    owner = owner_of(tenant_a)
    start_ms = int(at(1, 16).timestamp() * 1000)
    post_json(client, event_url_of(tenant_a), call_event("late-1", "created", start_ms))
    before = dashboard_figures(user=owner, project=tenant_a, period_days=7, now=NOW)
    assert (before.period_calls, before.ended_calls, before.rates["answered"]) == (7, 6, 50.0)
    for payload in (
        call_event("late-1", "answered", start_ms + 5_000),
        ended("late-1", start_ms + 65_000, "NORMAL", answer_duration=60, duration=65),
    ):
        assert post_json(client, event_url_of(tenant_a), payload).status_code == 200
    after = dashboard_figures(user=owner, project=tenant_a, period_days=7, now=NOW)
    assert (after.period_calls, after.ended_calls, after.rates["answered"]) == (7, 7, 57.1)


def test_storing_days_counted_by_a_concurrent_view_keeps_them_once(tenant_a, calls):
    """Two first views counting at the same moment: the later store finds the days stored."""
    zone, owner = "Asia/Ho_Chi_Minh", owner_of(tenant_a)
    day = at(2, 0).date()
    counted = {tenant_a.pk: {day: rollups._count([tenant_a.pk], HCM, day)[tenant_a.pk]}}
    dashboard_figures(user=owner, project=tenant_a, period_days=30, now=NOW)
    rows = DailyCallCount.objects.count()
    rollups._store(zone, counted, recount=False)  # the slower view's counts arrive now
    assert DailyCallCount.objects.count() == rows
    f = dashboard_figures(user=owner, project=tenant_a, period_days=30, now=NOW)
    assert f.calls_30_days == 7


def test_rollup_calls_counts_imported_calls_of_finished_days(tenant_a, tenant_b):
    now = timezone.now()
    record(tenant_a, now - timedelta(days=4), "answered", "phone_to_app")
    record(tenant_b, now - timedelta(days=4), "answered", "phone_to_app")
    owner = owner_of(tenant_a)
    assert dashboard_figures(user=owner, project=tenant_a).calls_7_days == 1
    for _ in range(3):  # an import of call records for a finished, stored day
        record(tenant_a, now - timedelta(days=4), "busy", "phone_to_app")
    assert dashboard_figures(user=owner, project=tenant_a).calls_7_days == 1  # stored: unchanged
    out = StringIO()
    call_command("rollup_calls", "--project", str(tenant_a.pk), stdout=out)
    assert f"{tenant_a} (Asia/Ho_Chi_Minh): 28 days counted" in out.getvalue()
    assert "Done: 28 days counted (projects: 1)." in out.getvalue()
    assert dashboard_figures(user=owner, project=tenant_a).calls_7_days == 4
    call_command("rollup_calls", stdout=StringIO())  # again, and for every project: no double
    assert dashboard_figures(user=owner, project=tenant_a).calls_7_days == 4
    assert dashboard_figures(user=owner_of(tenant_b), project=tenant_b).calls_7_days == 1
    span = RollupSpan.objects.get(project=tenant_a)
    today = now.astimezone(HCM).date()
    assert (span.first_day, span.last_day) == (today - timedelta(days=29), today - timedelta(2))


def test_rollup_calls_refuses_unknown_projects_and_empty_periods(tenant_a):
    with pytest.raises(CommandError, match="No project with id 999999"):
        call_command("rollup_calls", "--project", "999999", stdout=StringIO())
    with pytest.raises(CommandError, match="at least 1"):
        call_command("rollup_calls", "--days", "0", stdout=StringIO())
    out = StringIO()
    call_command("rollup_calls", "--days", "2", stdout=out)  # today and yesterday: live only
    assert "Done: 0 days counted (projects: 1)." in out.getvalue()
    assert not RollupSpan.objects.exists()


def test_prune_drops_the_rollups_of_pruned_days(tenant_a):
    now = timezone.now()
    tenant_a.retention_days = 10
    tenant_a.save()
    old = record(tenant_a, now - timedelta(days=20), "answered", "phone_to_app")
    CallRecord.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=20))
    imported = record(tenant_a, now - timedelta(days=20), "busy", "phone_to_app")  # created now
    record(tenant_a, now - timedelta(days=5), "answered", "phone_to_app")
    owner = owner_of(tenant_a)
    assert dashboard_figures(user=owner, project=tenant_a, period_days=30).calls_30_days == 3
    out = StringIO()
    call_command("prune_calls", stdout=out)
    assert "1 records" in out.getvalue() and "days of dashboard rollups" in out.getvalue()
    day = (now - timedelta(days=20)).astimezone(HCM).date().isoformat()
    assert day not in stored_calls(tenant_a, "Asia/Ho_Chi_Minh")
    after = dashboard_figures(user=owner, project=tenant_a, period_days=30)
    assert after.calls_30_days == 2  # the pruned call is gone, the imported one of that day stays
    assert stored_calls(tenant_a, "Asia/Ho_Chi_Minh")[day] == 1
    assert CallRecord.objects.filter(pk=imported.pk).exists()


def test_all_tenants_are_counted_alike_per_project_or_all_at_once(
    monkeypatch, admin_user, tenant_a, tenant_b, calls
):
    """Up to LISTED_PROJECTS the superuser's records are read per project, beyond all at once."""
    from calls import dashboard

    listed = dashboard_figures(user=admin_user, project=None, period_days=7, now=NOW)
    monkeypatch.setattr(dashboard, "LISTED_PROJECTS", 1)
    at_once = dashboard_figures(user=admin_user, project=None, period_days=7, now=NOW)
    assert (listed.calls_today, listed.calls_7_days, listed.in_progress) == (2, 9, 0)
    for name in ("calls_7_days", "rates", "avg_ring_seconds", "by_number", "busiest_users"):
        assert getattr(listed, name) == getattr(at_once, name)
    assert listed.per_hour == at_once.per_hour


def test_days_stored_long_ago_are_replaced_not_joined_up(monkeypatch, tenant_a, calls):
    """A dashboard not opened for 60 days counts the last 30, not the 60 days in between."""
    owner = owner_of(tenant_a)
    record(tenant_a, at(70, 10), "answered", "phone_to_app")
    dashboard_figures(user=owner, project=tenant_a, period_days=30, now=NOW - timedelta(days=60))
    assert RollupSpan.objects.get(project=tenant_a).last_day.isoformat() == "2026-01-07"
    assert stored_calls(tenant_a, "Asia/Ho_Chi_Minh") == {"2025-12-30": 1}
    counted = []
    count = rollups._count
    monkeypatch.setattr(
        rollups, "_count", lambda ids, zone, day: counted.append(day) or count(ids, zone, day)
    )
    f = dashboard_figures(user=owner, project=tenant_a, period_days=30, now=NOW)
    assert (len(counted), f.calls_30_days) == (28, 7)
    span = RollupSpan.objects.get(project=tenant_a)
    assert (span.first_day.isoformat(), span.last_day.isoformat()) == ("2026-02-09", "2026-03-08")
    assert min(stored_calls(tenant_a, "Asia/Ho_Chi_Minh")) == "2026-02-18"  # the old day gone
