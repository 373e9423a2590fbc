"""/metrics: webhook latency per endpoint and status class, per-project counters, access rules."""

import re

import pytest
from django.test import RequestFactory
from prometheus_client import REGISTRY

from calls.tests.factories import call_event, event_url_of, post_json
from portal.models import SigningMode
from portal.ops.metrics import OTHER, project_labels
from portal.webhooks.signatures import verify_webhook

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_labels():
    project_labels.clear()
    yield
    project_labels.clear()


def value(name, **labels):
    return REGISTRY.get_sample_value(name, labels) or 0.0


def answer_url_of(project):
    return f"/answer_url/{project.stringee_project_id}/{project.webhook_token}/"


def test_webhook_calls_show_up_as_series_with_fixed_labels(client, tenant_a):
    project = str(tenant_a.stringee_project_id)
    answered = value(
        "portal_webhook_request_duration_seconds_count", endpoint="answer_url", status="2xx"
    )
    stored = value("portal_call_events_stored_total", project=project)
    refused = value(
        "portal_webhook_request_duration_seconds_count", endpoint="event_url", status="4xx"
    )

    client.get(
        answer_url_of(tenant_a), {"from": "84912345678", "to": "842473000111", "callId": "c1"}
    )
    post_json(client, event_url_of(tenant_a), call_event("c1", "created"))
    post_json(client, event_url_of(tenant_a), call_event("c1", "answered"))
    post_json(
        client,
        f"/event_url/{tenant_a.stringee_project_id}/wrong-token/",
        call_event("c2", "created"),
    )

    text = client.get("/metrics").content.decode()
    bucket = (
        "portal_webhook_request_duration_seconds_bucket"
        '{endpoint="answer_url",le="0.005",status="2xx"}'
    )
    assert bucket in text
    assert (
        'portal_webhook_request_duration_seconds_count{endpoint="event_url",status="2xx"}' in text
    )
    assert f'portal_call_events_stored_total{{project="{project}"}}' in text
    assert "portal_routing_fallbacks_total" in text
    assert "portal_webhook_signature_failures_total" in text
    assert tenant_a.webhook_token not in text
    assert (
        value("portal_webhook_request_duration_seconds_count", endpoint="answer_url", status="2xx")
        == answered + 1
    )
    assert value("portal_call_events_stored_total", project=project) == stored + 2
    assert (
        value("portal_webhook_request_duration_seconds_count", endpoint="event_url", status="4xx")
        == refused + 1
    )


def test_answer_url_fallback_is_counted_for_its_project(client, tenant_a):
    project = str(tenant_a.stringee_project_id)
    before = value("portal_routing_fallbacks_total", project=project)
    client.get(
        answer_url_of(tenant_a), {"from": "84912345678", "to": "841111111111"}
    )  # no rule matches
    assert value("portal_routing_fallbacks_total", project=project) == before + 1


def test_signature_failures_are_counted_by_project_and_reason(tenant_a):
    tenant_a.signing_secret = "s3"
    tenant_a.signing_mode = SigningMode.REPORT
    project = str(tenant_a.stringee_project_id)
    before = value("portal_webhook_signature_failures_total", project=project, reason="missing")
    verify_webhook(RequestFactory().get(answer_url_of(tenant_a)), tenant_a)
    assert (
        value("portal_webhook_signature_failures_total", project=project, reason="missing")
        == before + 1
    )


def test_projects_past_the_cap_share_the_other_label(client, tenant_a, tenant_b, settings):
    settings.METRICS_MAX_PROJECTS = 1
    before = value("portal_call_events_stored_total", project=OTHER)
    post_json(client, event_url_of(tenant_a), call_event("a1", "created"))
    post_json(client, event_url_of(tenant_b), call_event("b1", "created"))
    assert value("portal_call_events_stored_total", project=OTHER) == before + 1


def test_unauthenticated_project_ids_never_become_labels(client, tenant_a):
    post_json(client, f"/event_url/987654321/{tenant_a.webhook_token}/", call_event("x", "created"))
    text = client.get("/metrics").content.decode()
    assert not re.search(r'project="987654321"', text)


def test_without_a_token_only_loopback_may_read(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.0.0.7").status_code == 403


def test_with_a_token_the_bearer_header_is_required(client, settings):
    settings.METRICS_TOKEN = "scrape-me"
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-me", REMOTE_ADDR="10.0.0.7")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
