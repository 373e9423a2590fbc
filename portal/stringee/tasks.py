"""The background worker's Stringee jobs (django-tasks; run by `manage.py run_worker`): send one
number, place one outbound call, create one project, and the periodic upkeep (read the account's
numbers, then send again what Stringee has not taken). The upkeep is queued by the worker's
watchdog every STRINGEE_SYNC_SECONDS (`upkeep_if_due`); what it works on is kept in the numbers'
rows, so a stopped worker loses nothing."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from portal.models import StringeeSync
from portal.stringee.callout import callout_send, callouts_recover
from portal.stringee.client import StringeeClient, is_connected
from portal.stringee.errors import StringeeError
from portal.stringee.projects import creation_send, creations_recover
from portal.stringee.push import number_push, numbers_push_due
from portal.stringee.sync import numbers_sync

logger = logging.getLogger(__name__)
SYNCS_KEPT_DAYS = 30  # the record of the account's readings (the numbers list's "last read")


@task()
def push_number(number_id: int) -> str:
    """Send one number's settings to Stringee (its row says what and keeps the outcome)."""
    return number_push(number_id=number_id)


@task()
def place_callout(callout_id: int) -> str:
    """Ask Stringee to place one outbound call (its row says what and keeps the outcome)."""
    return callout_send(callout_id=callout_id)


@task()
def create_project(creation_id: int) -> str:
    """Create one project on Stringee and add it to the portal (its row keeps the outcome)."""
    return creation_send(creation_id=creation_id)


def outbound_upkeep() -> int:
    """Queue again the outbound calls whose job was lost, fail those too old or interrupted,
    and the project creations interrupted; how many were queued again. Called by the worker's
    watchdog (cheap: two indexed queries when nothing waits)."""
    creations_recover()
    lost = callouts_recover()
    for callout_id in lost:
        place_callout.enqueue(callout_id)
    return len(lost)


@task()
def stringee_upkeep() -> str:
    """Read the account's numbers, then send again the numbers that failed or were lost; the
    record of readings older than SYNCS_KEPT_DAYS is removed."""
    if not is_connected():
        return "not connected"
    old = timezone.now() - timedelta(days=SYNCS_KEPT_DAYS)
    StringeeSync.objects.filter(started_at__lt=old).delete()
    with StringeeClient() as client:
        try:
            numbers_sync(client=client)
        except StringeeError as exc:
            logger.warning("stringee sync failed: %s", exc.stored)
        sent = numbers_push_due(client=client)
    return f"{sent} sent again"


def upkeep_if_due(now: datetime | None = None) -> bool:
    """Queue the upkeep when none ran for STRINGEE_SYNC_SECONDS and none is waiting; whether it
    was queued. Called by the worker's watchdog."""
    if not is_connected():
        return False
    now = now or timezone.now()
    since = now - timedelta(seconds=settings.STRINGEE_SYNC_SECONDS)
    if StringeeSync.objects.filter(started_at__gt=since).exists() or _upkeep_waiting():
        return False
    stringee_upkeep.enqueue()
    return True


def _upkeep_waiting() -> bool:
    """Whether the queue already holds an upkeep not yet started (the database queue only)."""
    return task_waiting(stringee_upkeep.module_path)


def task_waiting(module_path: str) -> bool:
    """Whether the queue already holds the task `module_path`, not yet started (the database
    queue only)."""
    from django_tasks_db.models import DBTaskResult

    if "django_tasks_db" not in settings.TASKS["default"]["BACKEND"]:
        return False
    return DBTaskResult.objects.filter(task_path=module_path, status="READY").exists()
