"""Recording callbacks: read the link Stringee POSTs for a `record`/`recordMessage`, store it once.

The contract only says the download link is POSTed to the action's `eventUrl`, so the portal
accepts (see docs/events.md): the call id as `call_id` or `callId` (or `?callId=` in the URL),
the link as `url`, `recording_url` or `download_url`, `duration` in seconds and `format`
(`mp3`, `wav`, `mp4`; read from the link's extension when absent).
"""

from urllib.parse import urlparse

from django.db import transaction

from calls.ingest import BadPayload, load_object, locked_record, required_id
from calls.models import Recording
from portal.models import Project

URL_FIELDS = ("url", "recording_url", "download_url")
FORMATS = ("mp3", "wav", "mp4")


def parse_recording(body: bytes, call_id_in_query: str = "") -> dict:
    """The recording callback's fields as {call_id, url, duration, format, payload}; or BadPayload."""
    payload = load_object(body)
    if call_id_in_query and not (payload.get("call_id") or payload.get("callId")):
        payload = {**payload, "call_id": call_id_in_query}
    call_id = required_id(payload, "call_id", "callId")
    url = next((payload[name] for name in URL_FIELDS if payload.get(name)), None)
    if url is None:
        raise BadPayload("missing_url", "The body has no `url` (the recording's download link).")
    parsed = urlparse(url) if isinstance(url, str) else None
    if parsed is None or parsed.scheme not in ("http", "https") or not parsed.netloc or len(url) > 1000:
        raise BadPayload("bad_field", "`url` must be an http(s) link of at most 1000 characters.")
    duration = payload.get("duration")
    if duration is not None and (isinstance(duration, bool) or not isinstance(duration, int | float)):
        raise BadPayload("bad_field", "`duration` must be a number of seconds.")
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


def ingest_recording(project: Project, recording: dict) -> Recording:
    """Store the recording once, linked to its call's record (created if it arrives first)."""
    with transaction.atomic():
        record = locked_record(project, recording["call_id"])
        stored, _ = Recording.objects.get_or_create(
            project=project,
            url=recording["url"],
            defaults={
                "call": record,
                "duration_seconds": recording["duration"],
                "format": recording["format"],
                "payload": recording["payload"],
            },
        )
        if record.recording_url != stored.url and stored.call_id == record.pk:
            record.recording_url = stored.url
            record.save(update_fields=["recording_url", "updated_at"])
    return stored
