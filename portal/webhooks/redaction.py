"""Webhook tokens kept out of logs, stored routing decisions and error rows: `/<kind>/<id>/***/`.

A webhook URL's token is its password. Django's `django.request` logger writes the full path of
every 4xx/5xx (a mistyped URL too: `/answer_url//1000/<token>/` from a base URL ending in a slash,
a near-miss of the path, the token pasted under /api/), and the SCCOs the portal answers carry
its own callback URLs (IVR, on-fail, ring,
recording), which were stored with each routing decision and shown by the API. Redaction works
on any text, without knowing the project, so it can run in a logging filter; paths (metrics,
access lines) also get `webhook_parts` and `redact_webhook_path`, which read the segments.
"""

from __future__ import annotations

import logging
import re

MASK = "***"
WEBHOOK_KINDS = ("answer_url", "event_url", "ivr", "on_fail", "ring", "recording_event")
_KINDS = "|".join(WEBHOOK_KINDS)
_TOKEN_IN_PATH = re.compile(rf"(/(?:{_KINDS})/[^/?#\s]+/)[^/?#\s\"'<>\\]+")
# The same, for a path typed wrong: any case, doubled slashes, an empty or missing projectId.
_TOKEN_IN_MISTYPED_PATH = re.compile(
    rf"(/+(?:{_KINDS})/+(?:[^/?#\s]*/+)?)[^/?#\s\"'<>\\]+", re.IGNORECASE
)
# A path segment shaped like a webhook token (secrets.token_urlsafe(24): 32 characters of
# A-Z a-z 0-9 _ -), wherever it was pasted. Shorter ids, numbers and UUIDs are left alone.
_TOKEN_SHAPED_SEGMENT = re.compile(r"(?<=/)(?=[0-9_-]*[A-Za-z])[A-Za-z0-9_-]{24,}(?=[/?#\s\"']|$)")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


def redact(text: str) -> str:
    """`text` with the token of every webhook path in it replaced by ***."""
    return _TOKEN_IN_PATH.sub(rf"\g<1>{MASK}", text)


def redact_for_log(text: str) -> str:
    """`redact`, and also the token of a mistyped webhook path and any token-shaped path segment:
    for log lines and error bodies, which may hold any path a caller typed."""
    text = _TOKEN_IN_MISTYPED_PATH.sub(rf"\g<1>{MASK}", redact(text))
    return _TOKEN_SHAPED_SEGMENT.sub(_mask_unless_uuid, text)


def _mask_unless_uuid(match: re.Match[str]) -> str:
    return match.group(0) if _UUID.match(match.group(0)) else MASK


def redact_json(value):
    """A copy of a JSON-like value with every string redacted (keys included)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {redact_json(key): redact_json(inner) for key, inner in value.items()}
    if isinstance(value, list | tuple):
        return [redact_json(inner) for inner in value]
    return value


class RedactWebhookTokens(logging.Filter):
    """Logging filter: redacts the message and its string arguments (it never drops a record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact_for_log(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_for_log(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        elif isinstance(record.args, dict):
            record.args = {
                k: redact_for_log(v) if isinstance(v, str) else v for k, v in record.args.items()
            }
        return True


# First path segment of each Stringee-facing URL → the endpoint label used in metrics and logs.
WEBHOOK_ENDPOINTS = {
    "answer_url": "answer_url",
    "ivr": "ivr",
    "on_fail": "on_fail",
    "ring": "ring",
    "event_url": "event_url",
    "recording_event": "recording_event",
}


def webhook_parts(path: str) -> tuple[str, int] | None:
    """("answer_url", 1000) for /answer_url/1000/<token>/...; None for a non-webhook path."""
    parts = path.split("/", 4)
    if len(parts) < 4 or parts[1] not in WEBHOOK_ENDPOINTS or not parts[2].isdigit():
        return None
    return WEBHOOK_ENDPOINTS[parts[1]], int(parts[2])


def redact_webhook_path(path: str) -> str:
    """`/answer_url/1000/<token>/7/` → `/answer_url/1000/***/7/`; other paths are returned
    unchanged."""
    parts = path.split("/")
    if (
        len(parts) < 4
        or parts[1] not in WEBHOOK_ENDPOINTS
        or not parts[2].isdigit()
        or not parts[3]
    ):
        return path
    parts[3] = MASK
    return "/".join(parts)


def webhook_path_for_log(path: str) -> str:
    """A webhook request's path as its log line shows it: `redact_webhook_path`, then
    `redact_for_log` for whatever follows the token. A path that ends at its token
    (`/answer_url/1000/<token>/`, `/event_url/1000/<token>/`: nearly every request) has nothing
    left to look at, so it skips the patterns."""
    parts = path.split("/")
    if (
        len(parts) == 5
        and not parts[4]
        and parts[1] in WEBHOOK_ENDPOINTS
        and parts[2].isdigit()
        and parts[3]
    ):
        return f"/{parts[1]}/{parts[2]}/{MASK}/"
    return redact_for_log(redact_webhook_path(path))
