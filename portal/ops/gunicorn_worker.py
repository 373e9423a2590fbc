"""gunicorn's sync worker, answering in JSON the requests gunicorn refuses before Django sees them.

gunicorn reads the request line and headers itself, and refuses a request line over
`limit_request_line` (414), headers over `limit_request_field_size` or more than
`limit_request_fields` of them (431), and a request it cannot parse (400) with an HTML page of its
own. This worker writes those answers in the portal's one error shape instead,
`{"error": "<code>", "detail": "<text>"}`, and logs the refusal without the request line (which
may hold a webhook's token). Any other failure is left to gunicorn.
"""

from __future__ import annotations

import json

from gunicorn import util
from gunicorn.http.errors import (
    InvalidHeader,
    InvalidHeaderName,
    InvalidHTTPVersion,
    InvalidRequestLine,
    InvalidRequestMethod,
    LimitRequestHeaders,
    LimitRequestLine,
    ObsoleteFolding,
)
from gunicorn.workers.sync import SyncWorker

# (status, reason, error code, detail) per kind of request gunicorn refuses.
REFUSALS: list[tuple[tuple[type[Exception], ...], int, str, str, str]] = [
    (
        (LimitRequestLine,),
        414,
        "URI Too Long",
        "uri_too_long",
        "The URL is too long: keep the path and query string under 8 KB.",
    ),
    (
        (LimitRequestHeaders,),
        431,
        "Request Header Fields Too Large",
        "headers_too_large",
        "The request's headers are too large or too many: at most 100, each under 8 KB.",
    ),
    (
        (
            InvalidRequestLine,
            InvalidRequestMethod,
            InvalidHTTPVersion,
            InvalidHeader,
            InvalidHeaderName,
            ObsoleteFolding,
        ),
        400,
        "Bad Request",
        "malformed_request",
        "The request is not well-formed HTTP/1.1.",
    ),
]


def refusal_of(exc: BaseException) -> tuple[int, str, str, str] | None:
    """(status, reason, code, detail) for a request gunicorn refuses; None for anything else."""
    for kinds, status, reason, code, detail in REFUSALS:
        if isinstance(exc, kinds):
            return status, reason, code, detail
    return None


def json_error(status: int, reason: str, code: str, detail: str) -> bytes:
    """The whole HTTP answer: status line, headers and the JSON body; the connection closes."""
    body = json.dumps({"error": code, "detail": detail}).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\n"
        "Connection: close\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("latin-1") + body


class JsonErrorSyncWorker(SyncWorker):
    """The sync worker with JSON answers for the requests gunicorn refuses (module docstring)."""

    def handle_error(self, req, client, addr, exc) -> None:
        refusal = refusal_of(exc)
        if refusal is None:
            super().handle_error(req, client, addr, exc)
            return
        status, reason, code, detail = refusal
        ip = addr[0] if addr else ""
        self.log.warning("Refused a request from ip=%s: %s (%s)", ip, code, status)
        try:
            util.write_nonblock(client, json_error(status, reason, code, detail))
        except OSError:
            self.log.debug("Failed to send the error answer.")
