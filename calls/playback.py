"""Playing a recording through the portal: its own copy when it keeps one, else Stringee's audio
streamed with the project's token (portal.stringee.recordings), `Range` honoured both ways so
that seeking works. The browser never sees Stringee's link or a token: it asks the portal.

Both doors use it: the admin's player (calls.admin.RecordingAdmin.audio_view) and the API's
`/api/v1/recordings/<id>/audio/` (calls.api.views). Each looks the recording up in the caller's
projects first.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import IO
from urllib.parse import urlsplit

from django.core.files.storage import storages
from django.http import HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase

from calls.models import CopyStatus, Recording
from portal.stringee.recordings import (
    CHUNK_BYTES,
    ONE_RANGE,
    PROBLEMS,
    RecordingUnavailable,
    link_problem,
    recording_open,
)

logger = logging.getLogger(__name__)

CONTENT_TYPES = {"mp3": "audio/mpeg", "wav": "audio/wav", "mp4": "audio/mp4"}
# What the portal answers when a recording cannot be played, by reason.
STATUSES = {
    "not_stringee": 403,
    "not_connected": 409,
    "processing": 503,
    "busy": 503,
    "fault": 502,
    "no_answer": 504,
    "bad_credentials": 502,
    "gone": 410,
    "refused": 502,
    "no_copy": 503,
}
RETRY_AFTER = {"processing": "60", "busy": "30"}


def recording_problem(recording: Recording) -> str | None:
    """Why staff cannot play `recording` here, in their words; None when they can (as far as
    can be told without asking Stringee)."""
    if recording.copy_status == CopyStatus.KEPT and recording.copy_name:
        return None
    code = link_problem(recording.url)
    return str(PROBLEMS[code]) if code else None


def link_shown(url: str) -> str:
    """A link as staff may read it: no user name, password or query (where a token could be),
    never a clickable link."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return f"{parts.scheme}://{host}{parts.path}" if host else "–"


def recording_response(*, recording: Recording, range_header: str | None) -> HttpResponseBase:
    """The recording's audio (200, or 206 for a range); RecordingUnavailable says why not."""
    if recording.copy_status == CopyStatus.KEPT and recording.copy_name:
        try:
            return _copy_response(recording, range_header)
        except OSError:
            logger.exception("recording %s: the portal's copy cannot be read", recording.pk)
    stream = recording_open(project=recording.project, url=recording.url, range_header=range_header)
    # The generator's close() (called by Django when the answer is done) closes Stringee's.
    response = StreamingHttpResponse(stream.chunks(), status=stream.status)
    for name, value in stream.headers.items():
        response[name] = value
    kind = stream.headers.get("content-type", "").split(";")[0].strip().lower()
    if not (kind.startswith("audio/") or kind == "video/mp4"):
        response["Content-Type"] = _content_type(recording)
    return _audio_headers(response, recording)


def problem_status(problem: RecordingUnavailable) -> tuple[int, dict[str, str]]:
    """The HTTP status and headers that go with a problem (Retry-After when waiting helps)."""
    retry = RETRY_AFTER.get(problem.code)
    return STATUSES.get(problem.code, 502), ({"Retry-After": retry} if retry else {})


def _content_type(recording: Recording) -> str:
    return CONTENT_TYPES.get(recording.format, "audio/mpeg")


def _audio_headers(response: HttpResponseBase, recording: Recording) -> HttpResponseBase:
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = (
        f'inline; filename="recording-{recording.pk}.{recording.format or "mp3"}"'
    )
    return response


def _copy_response(recording: Recording, range_header: str | None) -> HttpResponseBase:
    """The portal's own copy, whole or the one byte range asked for."""
    storage = storages["recordings"]
    size = storage.size(recording.copy_name)
    try:
        span = _span(range_header, size)
    except _Unsatisfiable:
        response: HttpResponseBase = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return _audio_headers(response, recording)
    start, end = span or (0, size - 1)
    handle = storage.open(recording.copy_name, "rb")
    handle.seek(start)
    response = StreamingHttpResponse(_read(handle, end - start + 1), status=206 if span else 200)
    response["Content-Type"] = _content_type(recording)
    response["Content-Length"] = str(end - start + 1)
    if span:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    return _audio_headers(response, recording)


class _Unsatisfiable(Exception):
    """The range asked for lies outside the file (416)."""


def _span(range_header: str | None, size: int) -> tuple[int, int] | None:
    """(first, last) byte of one `bytes=` range, or None for the whole file; _Unsatisfiable."""
    match = ONE_RANGE.fullmatch((range_header or "").strip())
    if match is None or match.groups() == (None, None):
        return None
    first, last = match.groups()
    if first is None:  # the last N bytes
        if int(last) == 0 or size == 0:
            raise _Unsatisfiable
        return max(0, size - int(last)), size - 1
    start = int(first)
    if start >= size or (last is not None and int(last) < start):
        raise _Unsatisfiable
    return start, min(int(last), size - 1) if last is not None else size - 1


def _read(handle: IO[bytes], remaining: int) -> Iterator[bytes]:
    try:
        while remaining > 0:
            piece = handle.read(min(CHUNK_BYTES, remaining))
            if not piece:
                return
            remaining -= len(piece)
            yield piece
    finally:
        handle.close()
