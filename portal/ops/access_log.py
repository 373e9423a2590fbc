"""One JSON line per webhook request on the `portal.webhooks.access` logger, token redacted.

Only what the request already holds is read: the query string's callId (or uuid), never the
body, so logging costs no parsing. The JSON formatting is the handler's (settings.LOGGING).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest

from portal.webhooks.redaction import redact_for_log, redact_webhook_path

logger = logging.getLogger("portal.webhooks.access")


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
            "path": redact_for_log(redact_webhook_path(request.path)),
            "status": status,
            "latency_ms": round(seconds * 1000, 2),
        },
    )
