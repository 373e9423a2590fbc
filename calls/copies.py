"""The portal's own copies of recordings, for projects that keep one (keep_recording_copies).

A new recording is marked "waiting" and its copy is queued for the background worker
(calls.tasks.copy_recording) once the callback's transaction commits. The worker downloads the
audio from Stringee (portal.stringee.recordings) into the "recordings" storage (settings.STORAGES:
MEDIA_ROOT/recordings, or an S3-compatible bucket). A copy that fails is marked "failed" with the
reason, and the worker's round (`recording_copies_due`) queues it again after
RECORDING_COPY_RETRY_SECONDS, doubling each time, until RECORDING_COPY_ATTEMPTS tries are spent;
staff see where each copy stands on the recordings list. Copies are deleted with their recordings
(prune_calls: `recording_copies_delete`).
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import storages
from django.db import DatabaseError, transaction
from django.utils import timezone

from calls.models import CopyStatus, Recording
from portal.stringee.recordings import RecordingUnavailable, recording_download

logger = logging.getLogger(__name__)

DUE_PER_ROUND = 200


def recording_copy_plan(*, recording: Recording) -> None:
    """Mark a new recording of a project that keeps copies as waiting, and queue its copy once the
    transaction commits (inside the callback's transaction)."""
    recording.copy_status = CopyStatus.WAITING
    recording.copy_next_try_at = timezone.now()
    recording.save(update_fields=["copy_status", "copy_next_try_at"])
    transaction.on_commit(lambda: _enqueue(recording.pk))


def _enqueue(recording_id: int) -> None:
    from calls.tasks import copy_recording

    try:
        copy_recording.enqueue(recording_id)
    except DatabaseError:  # the worker's round queues it later
        logger.warning("recording %s: its copy could not be queued now", recording_id)


def recording_copy(*, recording_id: int) -> str:
    """Copy one recording's audio into the portal's storage; what happened, in a few words."""
    recording = Recording.objects.select_related("project").filter(pk=recording_id).first()
    if recording is None or recording.copy_status == CopyStatus.KEPT:
        return "nothing to copy"
    storage = storages["recordings"]
    name = f"{recording.project_id}/{recording.pk}.{recording.format or 'mp3'}"
    try:
        with tempfile.TemporaryFile() as audio:  # whole before it is stored: no half copies
            for piece in recording_download(project=recording.project, url=recording.url):
                audio.write(piece)
            audio.seek(0)
            saved = storage.save(name, File(audio, name=name))
    except RecordingUnavailable as problem:
        return _failed(recording, problem.code)
    except OSError:
        logger.exception("recording %s: the copy could not be written", recording.pk)
        return _failed(recording, "no_copy")
    Recording.objects.filter(pk=recording.pk).update(
        copy_status=CopyStatus.KEPT,
        copy_name=saved,
        copy_error="",
        copy_attempts=recording.copy_attempts + 1,
        copy_next_try_at=None,
    )
    return f"copied to {saved}"


def _failed(recording: Recording, code: str) -> str:
    attempts = recording.copy_attempts + 1
    wait = settings.RECORDING_COPY_RETRY_SECONDS * 2 ** (attempts - 1)
    again = attempts < settings.RECORDING_COPY_ATTEMPTS
    Recording.objects.filter(pk=recording.pk).update(
        copy_status=CopyStatus.FAILED,
        copy_error=code,
        copy_attempts=attempts,
        copy_next_try_at=timezone.now() + timedelta(seconds=wait) if again else None,
    )
    logger.warning("recording %s: copy failed (%s), attempt %d", recording.pk, code, attempts)
    return f"failed: {code}"


def recording_copies_due(now: datetime | None = None) -> int:
    """Queue the copies whose next try is due (waiting ones left unqueued, failed ones); how many.
    Each is pushed a retry period ahead first, so two rounds never queue it twice."""
    now = now or timezone.now()
    due = list(
        Recording.objects.filter(
            copy_status__in=[CopyStatus.WAITING, CopyStatus.FAILED], copy_next_try_at__lte=now
        ).values_list("pk", flat=True)[:DUE_PER_ROUND]
    )
    if not due:
        return 0
    later = now + timedelta(seconds=settings.RECORDING_COPY_RETRY_SECONDS)
    Recording.objects.filter(pk__in=due).update(copy_next_try_at=later)
    for recording_id in due:
        _enqueue(recording_id)
    return len(due)


def recording_copies_delete(names: Iterable[str]) -> int:
    """Delete these copies' files (their recordings are gone); how many were deleted."""
    storage = storages["recordings"]
    deleted = 0
    for name in names:
        if not name:
            continue
        try:
            storage.delete(name)
            deleted += 1
        except OSError:
            logger.exception("the copy %s could not be deleted", name)
    return deleted
