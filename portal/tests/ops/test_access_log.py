"""The webhook access log: one JSON line per webhook request, with no URL token in it."""

import io
import json
import logging
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from calls.tests.factories import call_event, event_url_of, post_json
from portal.ops.access_log import AccessLineFormatter

pytestmark = pytest.mark.django_db

LINE_START = ["time", "level", "logger", "message"]
FIELDS_IN_ORDER = ["project", "call_id", "endpoint", "method", "path", "status", "latency_ms"]


@pytest.fixture
def access_lines():
    """What the configured JSON handler writes, captured through a copy of its formatter."""
    logger = logging.getLogger("portal.webhooks.access")
    formatter = next(
        h.formatter for h in logger.handlers if isinstance(h.formatter, AccessLineFormatter)
    )
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    logger.addHandler(handler)
    yield lambda: stream.getvalue().splitlines()
    logger.removeHandler(handler)


def test_answer_url_request_writes_one_json_line_without_the_token(client, tenant_a, access_lines):
    url = f"/answer_url/{tenant_a.stringee_project_id}/{tenant_a.webhook_token}/"
    client.get(url, {"from": "84912345678", "to": "842473000111", "callId": "call-7"})
    (line,) = access_lines()
    entry = json.loads(line)
    assert list(entry) == [*LINE_START, *FIELDS_IN_ORDER]  # the documented order, nothing else
    assert (entry["level"], entry["logger"]) == ("INFO", "portal.webhooks.access")
    written = datetime.fromisoformat(entry["time"])  # ISO 8601 in UTC, whatever TIME_ZONE is
    assert written.utcoffset() == timedelta(0)
    assert abs(written - datetime.now(UTC)) < timedelta(minutes=1)
    assert entry["project"] == tenant_a.stringee_project_id
    assert (entry["call_id"], entry["endpoint"], entry["status"]) == ("call-7", "answer_url", 200)
    assert entry["path"] == f"/answer_url/{tenant_a.stringee_project_id}/***/"
    assert entry["latency_ms"] >= 0
    assert tenant_a.webhook_token not in line


def test_event_url_request_is_logged_without_reading_the_body(client, tenant_a, access_lines):
    post_json(client, event_url_of(tenant_a), call_event("c1", "created"))
    (line,) = access_lines()
    entry = json.loads(line)
    assert (entry["endpoint"], entry["status"], entry["call_id"]) == ("event_url", 200, None)
    assert tenant_a.webhook_token not in line


def test_other_paths_are_not_logged(client, access_lines):
    client.get("/healthz")
    assert access_lines() == []


def test_the_access_log_can_be_switched_off(client, tenant_a, access_lines, settings):
    settings.WEBHOOK_ACCESS_LOG = False
    post_json(client, event_url_of(tenant_a), call_event("c1", "created"))
    assert access_lines() == []


def test_a_line_with_a_value_json_cannot_write_keeps_the_value_as_text():
    record = logging.LogRecord(
        "portal.webhooks.access", logging.INFO, __file__, 1, "webhook", (), None
    )
    record.project = Decimal("1000")  # not JSON's own type: the line is still written
    entry = json.loads(AccessLineFormatter().format(record))
    assert (entry["message"], entry["project"]) == ("webhook", "1000")


def test_a_line_with_an_error_carries_its_traceback():
    try:
        raise ValueError("broken")
    except ValueError:
        record = logging.LogRecord(
            "portal.webhooks.access", logging.ERROR, __file__, 1, "webhook", (), sys.exc_info()
        )
    entry = json.loads(AccessLineFormatter().format(record))
    assert entry["level"] == "ERROR"
    assert "ValueError: broken" in entry["exc_info"]
