"""Exports' housekeeping (the worker, and prune_calls): jobs whose heartbeat stopped queued again,
files past EXPORT_RETENTION_DAYS removed."""

from __future__ import annotations

from datetime import datetime, timedelta

from auditlog.context import disable_auditlog
from django.conf import settings
from django.core.files.storage import Storage
from django.utils import timezone

from portal.exports.asking import export_enqueue
from portal.exports.files import (
    Status,
    storage,
)
from portal.models import Export

# --- housekeeping (the worker, and prune_calls) -------------------------------------------------


def exports_requeue_stalled(*, now: datetime | None = None) -> int:
    """Queue again each running export whose worker has shown no sign of life for
    EXPORT_STALLED_SECONDS (it was killed, or its machine went away); after
    EXPORT_MAX_ATTEMPTS tries it fails instead. Returns how many were queued again."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.EXPORT_STALLED_SECONDS)
    queued = 0
    stalled = Export.objects.filter(status=Status.RUNNING, heartbeat_at__lte=cutoff)
    for export in stalled.only("pk", "attempts", "task_id"):
        same = Export.objects.filter(pk=export.pk, status=Status.RUNNING, attempts=export.attempts)
        if export.attempts >= settings.EXPORT_MAX_ATTEMPTS:
            same.update(status=Status.FAILED, finished_at=now, error="interrupted")
        elif same.update(status=Status.WAITING, task_id=""):
            _close_lost_task(export.task_id, now)
            export_enqueue(export)
            queued += 1
    return queued


def _close_lost_task(task_id: str, now: datetime) -> None:
    """The queue's own row of a job whose worker died says "running" for ever: close it."""
    if not task_id:
        return
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(id=task_id, status="RUNNING").update(
        status="FAILED", finished_at=now, exception_class_path="portal.exports.WorkerStopped"
    )


def exports_prune(*, now: datetime | None = None) -> int:
    """Remove exports (row and file) asked for more than EXPORT_RETENTION_DAYS ago, and files no
    export names any more. Returns how many exports were removed.

    Not recorded in the change history: that keeps who asked for each export and who downloaded
    it; removing the file after its retention is housekeeping, like prune_calls.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.EXPORT_RETENTION_DAYS)
    files = storage()
    removed = 0
    old = Export.objects.filter(created_at__lt=cutoff).exclude(status=Status.RUNNING)
    with disable_auditlog():
        for export in old.only("pk", "file"):
            if export.file:
                files.delete(export.file)
            export.delete()
            removed += 1
    _delete_strays(files, cutoff)
    return removed


def _delete_strays(files: Storage, cutoff: datetime) -> None:
    """Files left by a deleted project or a worker stopped while saving."""
    try:
        folders, _ = files.listdir("")
    except (FileNotFoundError, NotImplementedError):
        return
    known = set(Export.objects.exclude(file="").values_list("file", flat=True))
    for folder in folders:
        for name in files.listdir(folder)[1]:
            path = f"{folder}/{name}"
            if path not in known and files.get_modified_time(path) < cutoff:
                files.delete(path)
