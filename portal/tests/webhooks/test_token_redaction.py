"""Webhook tokens stay out of logs, stored routing decisions, error rows and viewers' pages."""

import json
import logging

import pytest

from calls.models import CallDecision
from calls.tests.factories import call_event, event_url_of, post_json
from portal.models import Membership
from portal.webhooks.redaction import RedactWebhookTokens, redact, redact_for_log
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


def _mistyped(project, token: str) -> list[tuple[str, str, dict, int]]:
    """(method, path, extra, expected status): near misses of a webhook URL holding its token."""
    pid = project.stringee_project_id
    return [
        ("get", f"/answer_url//{pid}/{token}/", {}, 404),  # PUBLIC_BASE_URL ending in a slash
        ("get", f"//answer_url/{pid}/{token}/", {}, 404),
        ("get", f"/Answer_URL/{pid}/{token}/", {}, 404),
        ("get", f"/answer-url/{pid}/{token}/", {}, 404),
        ("get", f"/answer_url/{token}/", {}, 404),  # projectId left out
        ("get", f"/answer_url/{pid}/{token}/extra/", {}, 404),
        ("get", f"/answer_url/{pid}//{token}/", {}, 404),
        ("post", f"/event_url/{pid}//{token}/", {"data": {}}, 404),
        ("get", f"/api/v1/answer_url/{pid}/{token}/", {}, 404),
        ("get", f"/{token}/", {}, 404),
        ("post", f"/event_url//{pid}/{token}/", {"data": {}}, 404),
        ("get", f"/answer_url//{pid}/{token}/", {"QUERY_STRING": "x=%00"}, 400),
        ("post", f"/event_url//{pid}/{token}/", {"data": "x" * 70_000}, 413),
        ("get", f"/api/v1/users/{token}/", {}, 401),
    ]


def test_no_mistyped_webhook_path_writes_its_token_into_any_log(client, tenant_a, caplog):
    token = tenant_a.webhook_token
    cases = _mistyped(tenant_a, token)
    access_log = logging.getLogger("portal.webhooks.access")  # its own handler, not the root's
    access_log.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.DEBUG):
            for method, path, extra, status in cases:
                data = extra.pop("data", None)
                kwargs = (
                    {"data": data, "content_type": "application/json"} if data is not None else {}
                )
                response = getattr(client, method)(path, **kwargs, **extra)
                assert response.status_code == status, (path, response.status_code)
                assert token not in response.content.decode(errors="replace"), path
    finally:
        access_log.removeHandler(caplog.handler)
    logged = [
        record.getMessage() + " " + str(getattr(record, "path", "")) for record in caplog.records
    ]
    assert sum("***" in line for line in logged) >= len(cases)  # each was logged, redacted
    assert any(record.name == "portal.webhooks.access" for record in caplog.records)
    assert not [line for line in logged if token in line]


def test_a_previous_token_and_a_guessed_one_are_redacted_too(client, tenant_a, caplog):
    tenant_a.rotate_webhook_token()
    with caplog.at_level(logging.WARNING, logger="django.request"):
        for token in (tenant_a.previous_webhook_token, "Zz9_guessed-token-of-32-chars-xx"):
            client.get(f"/answer_url//{tenant_a.stringee_project_id}/{token}/")
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert tenant_a.previous_webhook_token not in logged
    assert "guessed" not in logged
    assert logged.count("***") == 2


def test_log_redaction_keeps_ordinary_paths_readable():
    for path in (
        "/admin/routing/routingrule/12/change/",
        "/static/admin/css/base.4a5c1b7e9f3d.css",
        "/api/v1/calls/123e4567-e89b-12d3-a456-426614174000/",
    ):
        assert redact_for_log(f"Not Found: {path}") == f"Not Found: {path}"
