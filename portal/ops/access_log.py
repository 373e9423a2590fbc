"""One JSON line per webhook request on the `portal.webhooks.access` logger, token redacted.

Only what the request already holds is read: the query string's callId (or uuid), never the
body, so logging costs no parsing. `AccessLineFormatter` (the handler's formatter in
settings.LOGGING) writes the line: the record's time, level, logger and message, then the
request's fields in a fixed order.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from django.conf import settings
from django.http import HttpRequest

from portal.webhooks.redaction import webhook_path_for_log

logger = logging.getLogger("portal.webhooks.access")

# What each line tells of its request, in the order the line shows them.
FIELDS = ("project", "call_id", "endpoint", "method", "path", "status", "latency_ms")


def log_webhook(
    request: HttpRequest, endpoint: str, stringee_project_id: int, status: int, seconds: float
) -> None:
    """Write the request's line, unless WEBHOOK_ACCESS_LOG is off or the level hides INFO."""
    if not settings.WEBHOOK_ACCESS_LOG or not logger.isEnabledFor(logging.INFO):
        return
    logger.info(
        "webhook",
        extra={
            "project": stringee_project_id,
            "call_id": request.GET.get("callId") or request.GET.get("uuid") or None,
            "endpoint": endpoint,
            "method": request.method,
            "path": webhook_path_for_log(request.path),
            "status": status,
            "latency_ms": round(seconds * 1000, 2),
        },
    )


class AccessLineFormatter(logging.Formatter):
    """A record as one JSON object: time (ISO 8601, UTC, milliseconds), level, logger, message,
    then the `FIELDS` it carries.

    Written for this one logger, whose fields are known, so a line costs one `json.dumps` and no
    walk over the record's attributes (about half the time of a general JSON formatter).
    """

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": _utc(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        attributes = record.__dict__
        for field in FIELDS:
            if field in attributes:
                line[field] = attributes[field]
        if record.exc_info:
            line["exc_info"] = self.formatException(record.exc_info)
        try:
            return json.dumps(line)  # the fields are JSON's own types: the encoder made once
        except TypeError:  # a value from elsewhere (an `extra` of another caller): its text
            return json.dumps(line, default=str)


def _utc(seconds: float) -> str:
    """`2026-12-07T22:11:29.332Z`: the same in every worker, whatever TIME_ZONE says."""
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="milliseconds")[:-6] + "Z"
