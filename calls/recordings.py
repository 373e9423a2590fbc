"""Recording callbacks: read the link Stringee sends for a `record`/`recordMessage`, store it once.

The contract only says the download link is sent to the action's `eventUrl` (Stringee's own
service takes it as GET or POST), so the portal accepts (see docs/events.md): the call id as
`call_id` or `callId`, the link as `url`, `recording_url`, `recordingUrl` or `download_url`,
`duration` in seconds and `format` (`mp3`, `wav`, `mp4`; read from the link's extension when
absent), in a JSON body or in the query string. Stringee may name the recording by its id
instead of a link (in one of those fields, or as `recording_id` / `recordingId`): the link is
then Stringee's download URL for that id (portal.stringee.recordings.recording_download_url).

Links are stored as sent; whether the portal may fetch one is decided when it is played
(portal.stringee.recordings: Stringee's own hosts only).
"""

from __future__ import annotations

import math
import re
from urllib.parse import urlparse

from django.db import transaction

from calls.copies import recording_copy_plan
from calls.emulator.ids import is_test_call_id
from calls.models import CallRecord, Recording
from calls.payloads import BadPayload, load_object, required_id
from portal.models import Project
from portal.stringee.recordings import recording_download_url

URL_FIELDS = ("url", "recording_url", "recordingUrl", "download_url")
ID_FIELDS = ("recording_id", "recordingId")
# A recording's id as Stringee might send it in place of a link (letters, digits, . _ -).
RECORDING_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")
FORMATS = ("mp3", "wav", "mp4")
MAX_DURATION_SECONDS = 1_000_000


def parse_recording(body: bytes, query: dict | None = None) -> dict:
    """The recording callback's fields as {call_id, url, duration, format, payload}; or BadPayload.

    Query parameters fill what the body does not give; a GET (empty body) is read from them alone.
    """
    query = dict(query or {})
    payload = load_object(body) if body.strip() else {}
    if "duration" in query:
        try:
            query["duration"] = float(query["duration"])
        except ValueError:
            raise BadPayload("bad_field", "`duration` must be a number of seconds.") from None
    return recording_fields({**query, **payload})


def recording_fields(payload: dict) -> dict:
    """The recording a payload describes (a callback's, or a CDR-like event_url post's)."""
    call_id = required_id(payload, "call_id", "callId")
    url = next((payload[name] for name in (*URL_FIELDS, *ID_FIELDS) if payload.get(name)), None)
    if url is None:
        raise BadPayload("missing_url", "The body has no `url` (the recording's download link).")
    if isinstance(url, str | int) and not isinstance(url, bool):
        url = str(url)
        if RECORDING_ID.fullmatch(url):  # a bare id: no scheme, no slash
            url = recording_download_url(url)
    parsed = urlparse(url) if isinstance(url, str) else None
    if (
        parsed is None
        or parsed.scheme not in ("http", "https")
        or not parsed.netloc
        or len(url) > 1000
    ):
        raise BadPayload("bad_field", "`url` must be an http(s) link of at most 1000 characters.")
    duration = payload.get("duration")
    if duration is not None and (
        isinstance(duration, bool)
        or not isinstance(duration, int | float)
        or not math.isfinite(duration)
        or not 0 <= duration <= MAX_DURATION_SECONDS
    ):
        raise BadPayload(
            "bad_field", f"`duration` must be a number of seconds from 0 to {MAX_DURATION_SECONDS}."
        )
    fmt = payload.get("format") or parsed.path.rsplit(".", 1)[-1].lower()
    if not isinstance(fmt, str):
        raise BadPayload("bad_field", "`format` must be a string.")
    return {
        "call_id": call_id,
        "url": url,
        "duration": duration,
        "format": fmt if fmt in FORMATS else "",
        "payload": payload,
    }


def locked_record(project: Project, call_id: str) -> CallRecord:
    """The call's record, created empty if missing, locked for the rest of the transaction."""
    rows = CallRecord.objects.select_for_update().filter(project=project, call_id=call_id)
    record = rows.first()
    if record is None:
        CallRecord.objects.bulk_create(
            [CallRecord(project=project, call_id=call_id, is_test=is_test_call_id(call_id))],
            ignore_conflicts=True,
        )
        record = rows.get()
    return record


def store_recording(project: Project, recording: dict) -> Recording:
    """Store the recording once, linked to its call's record (call inside a transaction)."""
    record = locked_record(project, recording["call_id"])
    stored, created = Recording.objects.get_or_create(
        project=project,
        url=recording["url"],
        defaults={
            "call": record,
            "duration_seconds": recording["duration"],
            "format": recording["format"],
            "payload": recording["payload"],
        },
    )
    if created and project.keep_recording_copies:
        recording_copy_plan(recording=stored)
    if record.recording_url != stored.url and stored.call_id == record.pk:
        record.recording_url = stored.url
        record.save(update_fields=["recording_url", "updated_at"])
    return stored


def ingest_recording(project: Project, recording: dict) -> Recording:
    """Store the recording once, linked to its call's record (created if it arrives first)."""
    with transaction.atomic():
        return store_recording(project, recording)
