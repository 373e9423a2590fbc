"""`prune_calls` deletes only what is older than each project's retention, in batches."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from calls.models import CallEvent, CallRecord, Recording
from calls.tests.factories import CallEventFactory, CallRecordFactory
from portal.tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def _aged(days: int, project, call_id: str) -> CallRecord:
    record = CallRecordFactory(project=project, call_id=call_id)
    event = CallEventFactory(project=project, call_id=call_id)
    Recording.objects.create(
        project=project, call=record, url=f"https://rec.example/{call_id}.mp3", payload={}
    )
    then = timezone.now() - timedelta(days=days)
    CallRecord.objects.filter(pk=record.pk).update(created_at=then)
    CallEvent.objects.filter(pk=event.pk).update(received_at=then)
    return record


def _prune(*args: str) -> str:
    out = StringIO()
    call_command("prune_calls", *args, stdout=out)
    return out.getvalue()


def test_only_calls_older_than_the_projects_retention_go():
    short = ProjectFactory(retention_days=30)
    default = ProjectFactory()  # 180 days
    _aged(31, short, "short-old")
    _aged(29, short, "short-recent")
    _aged(31, default, "default-kept")
    _aged(181, default, "default-old")
    _prune()
    left = sorted(CallRecord.objects.values_list("call_id", flat=True))
    assert left == ["default-kept", "short-recent"]
    assert sorted(CallEvent.objects.values_list("call_id", flat=True)) == left
    assert sorted(Recording.objects.values_list("call__call_id", flat=True)) == left


def test_progress_is_printed_batch_by_batch():
    project = ProjectFactory(retention_days=10)
    for n in range(5):
        _aged(11, project, f"old-{n}")
    output = _prune("--batch-size", "2")
    assert f"{project}: 2 events deleted so far" in output
    assert f"{project}: 5 records deleted so far" in output
    assert "Done: 5 events and 5 records deleted." in output
    assert not CallRecord.objects.exists()


def test_nothing_old_means_nothing_deleted(tenant_a):
    _aged(1, tenant_a, "fresh")
    assert "Done: 0 events and 0 records deleted." in _prune()
    assert CallRecord.objects.count() == CallEvent.objects.count() == 1


def test_routing_errors_and_decisions_follow_the_projects_retention(tenant_a, tenant_b):
    from calls.models import CallDecision
    from routing.models import RoutingErrorLog

    tenant_a.retention_days = 30
    tenant_a.save()
    then = timezone.now() - timedelta(days=31)
    for project in (tenant_a, tenant_b):  # tenant B keeps the default 180 days
        for n, age in enumerate((then, timezone.now())):
            error = RoutingErrorLog.objects.create(
                project=project, call_id=f"e{n}", error="no rule"
            )
            decision = CallDecision.objects.create(
                project=project,
                call_id=f"e{n}",
                token=f"t{project.pk}-{n}",
                parked_us=n,
                decision={},
            )
            RoutingErrorLog.objects.filter(pk=error.pk).update(created_at=age)
            CallDecision.objects.filter(pk=decision.pk).update(created_at=age)
    output = _prune()
    assert "Also 1 routing decisions, 1 routing errors." in output
    assert list(
        RoutingErrorLog.objects.filter(project=tenant_a).values_list("call_id", flat=True)
    ) == ["e1"]
    assert list(
        CallDecision.objects.filter(project=tenant_a).values_list("call_id", flat=True)
    ) == ["e1"]
    assert RoutingErrorLog.objects.filter(project=tenant_b).count() == 2
    assert CallDecision.objects.filter(project=tenant_b).count() == 2


def test_webhook_signature_failures_follow_the_projects_retention(tenant_a, tenant_b):
    from portal.models import WebhookSignatureFailure

    tenant_a.retention_days = 30
    tenant_a.save()
    for project in (tenant_a, tenant_b):  # tenant B keeps the default 180 days
        for age in (31, 1):
            WebhookSignatureFailure.objects.create(
                project=project,
                path=f"/event_url/1/<token>/{age}",
                reason="missing",
                at=timezone.now() - timedelta(days=age),
            )
    output = _prune()
    assert "1 webhook signature failures." in output
    kept = WebhookSignatureFailure.objects.filter(project=tenant_a).values_list("path", flat=True)
    assert list(kept) == ["/event_url/1/<token>/1"]
    assert WebhookSignatureFailure.objects.filter(project=tenant_b).count() == 2


def _recording(days: int, project, call_id: str) -> CallRecord:
    record = CallRecordFactory(project=project, call_id=call_id)
    url = f"https://rec.example/{call_id}.mp3"
    recording = Recording.objects.create(project=project, call=record, url=url, payload={})
    Recording.objects.filter(pk=recording.pk).update(
        received_at=timezone.now() - timedelta(days=days)
    )
    CallRecord.objects.filter(pk=record.pk).update(recording_url=url)
    return record


def test_recordings_past_their_own_retention_go_but_the_calls_stay():
    short = ProjectFactory(recording_retention_days=7)  # calls kept 180 days
    other = ProjectFactory()  # no recording retention: recordings live as long as their calls
    _recording(8, short, "short-old")
    _recording(6, short, "short-recent")
    _recording(8, other, "other-old")
    out = _prune()
    assert sorted(Recording.objects.values_list("call__call_id", flat=True)) == [
        "other-old",
        "short-recent",
    ]
    calls = dict(CallRecord.objects.values_list("call_id", "recording_url"))
    assert set(calls) == {"short-old", "short-recent", "other-old"}  # the call log stays whole
    assert calls["short-old"] == ""  # its page no longer links to the purged recording
    assert calls["short-recent"] == "https://rec.example/short-recent.mp3"
    assert "1 recordings past their recording retention" in out
