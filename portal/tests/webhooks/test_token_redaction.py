"""Webhook tokens stay out of logs, stored routing decisions, error rows and viewers' pages."""

import json
import logging

import pytest

from calls.models import CallDecision
from calls.tests.factories import call_event, event_url_of, post_json
from portal.models import Membership
from portal.webhooks.redaction import RedactWebhookTokens, redact
from routing.error_log import error_log
from routing.models import RoutingErrorLog
from routing.tests.helpers import answer, press

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/answer_url/{id}/{token}/",
        "/event_url/{id}/{token}/",
        "/ivr/{id}/{token}/3/?from=1",
        "/on_fail/{id}/{token}/3/",
        "/ring/{id}/{token}/3/",
        "/recording_event/{id}/{token}/",
    ],
)
def test_every_webhook_path_loses_its_token(path):
    text = "https://portal.example.com" + path.format(id=12345, token="s3cr3t-T0k_en")
    assert "s3cr3t" not in redact(text)
    assert path.format(id=12345, token="***") in redact(text)


def test_a_webhook_4xx_is_logged_without_its_token(client, tenant_a, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get(event_url_of(tenant_a)).status_code == 405
        assert (
            client.get(f"/answer_url/{tenant_a.stringee_project_id}/wrong-token-1/").status_code
            == 403
        )
        assert client.get("/answer_url/999999/unknown-token-2/").status_code == 404
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 3
    assert not any(
        secret in message for message in messages for secret in (tenant_a.webhook_token, "-token-")
    )


def test_the_filter_redacts_arguments_and_messages():
    record = logging.LogRecord(
        "x", logging.WARNING, "", 0, "At /ring/1/abc/2/: %s", ("/ivr/1/def/2/",), None
    )
    RedactWebhookTokens().filter(record)
    assert record.getMessage() == "At /ring/1/***/2/: /ivr/1/***/2/"


def test_stored_decisions_hold_the_callback_urls_without_the_token(client, tenant_a, hotline):
    scco = answer(
        client, tenant_a, from_="user_9", to="hotline", fromInternal="true", callId="call-1"
    ).json()
    assert tenant_a.webhook_token in scco[1]["eventUrl"]  # Stringee needs it in the reply
    press(client, scco[1]["eventUrl"], "9")
    post_json(client, event_url_of(tenant_a), call_event("call-1", "created"))
    stored = json.dumps([row.decision for row in CallDecision.objects.all()])
    assert "/ivr/" in stored and "***" in stored
    assert tenant_a.webhook_token not in stored
    api = client.get("/api/v1/calls/", HTTP_AUTHORIZATION="")  # anonymous: nothing shown either way
    assert tenant_a.webhook_token not in api.content.decode()


def test_error_rows_hold_no_token(tenant_a):
    url = f"https://p.example.com/ivr/{tenant_a.stringee_project_id}/{tenant_a.webhook_token}/1/"
    error_log.record(
        project_id=tenant_a.pk, call_id="c", params={"next": url}, error=f"failed at {url}"
    )
    row = RoutingErrorLog.objects.get()
    assert tenant_a.webhook_token not in json.dumps(row.params) + row.error


@pytest.mark.parametrize(
    ("role", "shown"),
    [(Membership.Role.OWNER, True), (Membership.Role.OPERATOR, False), ("viewer", False)],
)
def test_only_owners_see_the_webhook_token_on_the_project_page(
    staff_client_for, tenant_a, role, shown
):
    client = staff_client_for(tenant_a, role)
    page = client.get(f"/admin/portal/project/{tenant_a.pk}/change/")
    assert page.status_code == 200
    assert (tenant_a.webhook_token in page.content.decode()) is shown
    assert f"/answer_url/{tenant_a.stringee_project_id}/" in page.content.decode()
