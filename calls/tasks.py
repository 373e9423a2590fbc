"""The calls app's background jobs (django-tasks; run by `manage.py run_worker`): the call-log
job (every STRINGEE_CALL_LOG_SECONDS, read each project's Stringee call log of the last
STRINGEE_CALL_LOG_HOURS and reconcile the call records with it: calls.reconcile; queued by the
worker's watchdog through portal.worker_rounds, registered in calls.apps; when it
last ran is kept in CallLogCheck rows, so a stopped worker loses nothing), and copying one
recording's audio into the portal (calls.copies)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from calls.copies import recording_copy
from calls.models import CallLogCheck
from calls.reconcile import call_log_check, reconcilable_projects
from portal.stringee.errors import StringeeError
from portal.stringee.tasks import task_waiting

logger = logging.getLogger(__name__)
CHECKS_KEPT_DAYS = 30  # readings older than this are removed by the job


@task()
def read_call_logs() -> str:
    """Reconcile every readable project with its call log of the last STRINGEE_CALL_LOG_HOURS (a
    project Stringee could not be read for is tried again next time)."""
    now = timezone.now()
    CallLogCheck.objects.filter(started_at__lt=now - timedelta(days=CHECKS_KEPT_DAYS)).delete()
    since = now - timedelta(hours=settings.STRINGEE_CALL_LOG_HOURS)
    read = failed = 0
    for project in reconcilable_projects():
        try:
            call_log_check(project=project, since=since)
            read += 1
        except StringeeError:
            failed += 1
    return f"{read} call logs read, {failed} not"


def call_logs_if_due(now: datetime | None = None) -> bool:
    """Queue the call-log job when none started for STRINGEE_CALL_LOG_SECONDS and none is
    waiting; whether it was queued."""
    every = settings.STRINGEE_CALL_LOG_SECONDS
    if every <= 0:
        return False
    now = now or timezone.now()
    recent = CallLogCheck.objects.filter(started_at__gt=now - timedelta(seconds=every))
    if recent.exists() or task_waiting(read_call_logs.module_path):
        return False
    if not reconcilable_projects().exists():
        return False
    read_call_logs.enqueue()
    return True


@task()
def copy_recording(recording_id: int) -> str:
    """Copy one recording from Stringee into the portal's storage (its row keeps the outcome)."""
    return recording_copy(recording_id=recording_id)
