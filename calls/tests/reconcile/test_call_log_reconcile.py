"""Reconciling call records with Stringee's call log (calls.reconcile): a call the event_url missed
is added, a call stuck in progress is ended, the charge is stored, a second run changes nothing,
an event arriving later folds into the same record, and another tenant's rows never land here."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone

from calls.ingest import ingest_event
from calls.models import CallEvent, CallRecord, DailyCallCount
from calls.reconcile import call_log_reconcile
from calls.rollups import rollups_fill
from calls.tests.factories import call_event, ended
from portal.models import Project
from portal.stringee.call_log import read_row
from portal.tests.factories import VirtualNumberFactory

pytestmark = pytest.mark.django_db
START = 1_765_000_000_000  # 2025-12-06 05:46:40 UTC


def row(project, call_id, *, start=START, answer=START + 5_000, stop=START + 65_000, **extra):
    return read_row(
        {
            "id": call_id,
            "uuid": f"uuid-{call_id}",
            "project_id": project.stringee_project_id,
            "from_user_id": "",
            "from_number": "%2B84912345678",
            "to_number": "842473000111",
            "from_internal": 0,
            "to_internal": 1,
            "start_time": start,
            "answer_time": answer,
            "stop_time": stop,
            "amount": "1100.50",
            "created": start // 1000,
            "recorded": 0,
            **extra,
        }
    )


def records(project: Project) -> dict[str, dict]:
    return {
        r.call_id: model_to_dict(r) | {"updated_at": r.updated_at}
        for r in CallRecord.objects.filter(project=project)
    }


def test_a_call_the_event_url_missed_is_added_from_the_log(tenant_a):
    number = VirtualNumberFactory(project=tenant_a, number="+842473000111")
    result = call_log_reconcile(project=tenant_a, rows=[row(tenant_a, "missed-1")])
    record = CallRecord.objects.get(project=tenant_a, call_id="missed-1")
    assert result.added == 1
    assert record.call_log == "added"
    assert record.status == "answered"
    assert record.from_number == "+84912345678"
    assert record.virtual_number == number
    assert record.started_at == datetime.fromtimestamp(START / 1000, tz=UTC)
    assert record.answered_at == datetime.fromtimestamp((START + 5_000) / 1000, tz=UTC)
    assert record.ended_at == datetime.fromtimestamp((START + 65_000) / 1000, tz=UTC)
    assert (record.ring_seconds, record.talk_seconds) == (5, 60)
    assert record.amount == Decimal("1100.50")
    assert record.direction == "phone_to_app"


def test_a_call_stuck_in_progress_is_ended_with_its_talk_time(tenant_a):
    ingest_event(tenant_a, call_event("stuck-1", "started", START))
    ingest_event(tenant_a, call_event("stuck-1", "answered", START + 5_000))
    assert CallRecord.objects.get(call_id="stuck-1").status == "answered"
    assert CallRecord.objects.get(call_id="stuck-1").ended_at is None
    result = call_log_reconcile(project=tenant_a, rows=[row(tenant_a, "stuck-1")])
    record = CallRecord.objects.get(call_id="stuck-1")
    assert result.completed == 1
    assert record.call_log == "completed"
    assert record.ended_at == datetime.fromtimestamp((START + 65_000) / 1000, tz=UTC)
    assert record.talk_seconds == 60
    assert record.from_user == "user_1"  # the events' parties stay


def test_an_unanswered_stuck_call_is_closed(tenant_a):
    ingest_event(tenant_a, call_event("stuck-2", "started", START))
    call_log_reconcile(project=tenant_a, rows=[row(tenant_a, "stuck-2", answer=0)])
    record = CallRecord.objects.get(call_id="stuck-2")
    assert record.status != "in_progress"
    assert record.answered_at is None
    assert record.ended_at is not None


def test_a_complete_record_only_gets_its_charge(tenant_a):
    for event in (
        call_event("done-1", "started", START),
        call_event("done-1", "answered", START + 5_000),
        ended("done-1", START + 65_000, "USER_END_CALL", answer_duration=60, duration=65),
    ):
        ingest_event(tenant_a, event)
    events = CallEvent.objects.count()
    result = call_log_reconcile(project=tenant_a, rows=[row(tenant_a, "done-1")])
    record = CallRecord.objects.get(call_id="done-1")
    assert (result.added, result.completed, result.priced) == (0, 0, 1)
    assert record.call_log == ""
    assert record.amount == Decimal("1100.50")
    assert record.end_cause == "USER_END_CALL"
    assert CallEvent.objects.count() == events


def test_a_second_run_changes_nothing(tenant_a):
    ingest_event(tenant_a, call_event("stuck-3", "started", START))
    rows = [row(tenant_a, "missed-2"), row(tenant_a, "stuck-3"), row(tenant_a, "missed-3")]
    call_log_reconcile(project=tenant_a, rows=rows)
    before, events = records(tenant_a), CallEvent.objects.count()
    again = call_log_reconcile(project=tenant_a, rows=rows)
    assert (again.added, again.completed, again.priced) == (0, 0, 0)
    assert records(tenant_a) == before
    assert CallEvent.objects.count() == events


def test_a_late_end_event_after_the_reconcile_folds_into_the_same_record(tenant_a):
    call_log_reconcile(project=tenant_a, rows=[row(tenant_a, "late-1")])
    ingest_event(tenant_a, call_event("late-1", "answered", START + 5_000))
    ingest_event(
        tenant_a,
        ended("late-1", START + 65_400, "USER_END_CALL", answer_duration=60, duration=65),
    )
    (record,) = CallRecord.objects.filter(project=tenant_a, call_id="late-1")
    assert record.status == "answered"
    assert record.ended_at == datetime.fromtimestamp((START + 65_000) / 1000, tz=UTC)
    assert record.talk_seconds == 60
    assert record.amount == Decimal("1100.50")  # the fold never touches the charge
    assert record.call_log == "added"
    assert CallEvent.objects.filter(call_id="late-1", status="ended").count() == 2
    again = call_log_reconcile(project=tenant_a, rows=[row(tenant_a, "late-1")])
    assert again.changed == 0


def test_an_earlier_end_event_arriving_later_gives_its_cause(tenant_a):
    call_log_reconcile(project=tenant_a, rows=[row(tenant_a, "late-2", answer=0)])
    ingest_event(tenant_a, ended("late-2", START + 64_000, "486 Busy Here"))
    record = CallRecord.objects.get(call_id="late-2")
    assert record.status == "busy"
    assert record.end_cause == "486 Busy Here"


def test_another_projects_rows_never_land_in_this_tenant(tenant_a, tenant_b):
    foreign = row(tenant_b, "theirs-1")
    result = call_log_reconcile(project=tenant_a, rows=[foreign, row(tenant_a, "ours-1")])
    assert result.ignored == 1
    assert set(CallRecord.objects.values_list("project_id", "call_id")) == {(tenant_a.pk, "ours-1")}
    assert not CallEvent.objects.filter(call_id="theirs-1").exists()


def test_a_call_not_over_yet_is_left_to_its_events(tenant_a):
    result = call_log_reconcile(project=tenant_a, rows=[row(tenant_a, "live-1", stop=0)])
    assert result.changed == 0
    assert not CallRecord.objects.exists()


def test_a_finished_days_rollup_is_counted_again_with_the_charges(tenant_a):
    tenant_a.time_zone = "Asia/Ho_Chi_Minh"
    tenant_a.save()
    now = timezone.now()
    start = int((now - timedelta(days=5)).timestamp() * 1000)
    projects = Project.objects.filter(pk=tenant_a.pk)
    day = (now - timedelta(days=5)).astimezone(timezone.get_fixed_timezone(420)).date()
    rollups_fill(projects=projects, time_zone=tenant_a.time_zone, first=day, last=day, now=now)
    assert not DailyCallCount.objects.filter(project=tenant_a).exists()
    call_log_reconcile(
        project=tenant_a,
        rows=[row(tenant_a, "old-1", start=start, answer=start + 1000, stop=start + 9000)],
    )
    counts = DailyCallCount.objects.filter(project=tenant_a, day=day)
    assert sum(c.calls for c in counts) == 1
    assert sum(c.amount for c in counts) == Decimal("1100.50")


def test_the_worker_queues_the_call_log_reading_when_due(tenant_a, settings):
    from calls.models import CallLogCheck
    from calls.tasks import call_logs_if_due
    from portal.worker_rounds import ROUNDS

    assert ROUNDS["call logs"] is call_logs_if_due  # registered by calls.apps
    settings.STRINGEE_CALL_LOG_SECONDS = 900
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    now = timezone.now()
    CallLogCheck.objects.create(project=tenant_a, started_at=now, since=now, until=now)
    assert call_logs_if_due(now + timedelta(minutes=5)) is False
    assert call_logs_if_due(now + timedelta(minutes=16)) is True
    settings.STRINGEE_CALL_LOG_SECONDS = 0
    assert call_logs_if_due(now + timedelta(minutes=16)) is False
