"""The webhook access log: one JSON line per webhook request, with no URL token in it."""

import io
import json
import logging

import pytest
from pythonjsonlogger.json import JsonFormatter

from calls.tests.factories import call_event, event_url_of, post_json

pytestmark = pytest.mark.django_db

KEYS = {"project", "call_id", "endpoint", "status", "latency_ms", "path", "method", "time", "level"}


@pytest.fixture
def access_lines():
    """What the configured JSON handler writes, captured through a copy of its formatter."""
    logger = logging.getLogger("portal.webhooks.access")
    formatter = next(h.formatter for h in logger.handlers if isinstance(h.formatter, JsonFormatter))
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
    assert entry.keys() >= KEYS
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
