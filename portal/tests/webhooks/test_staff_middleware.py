"""Staff pages keep sessions, messages and the audit trail; Stringee's webhooks pass that
middleware by (portal.middleware)."""

import pytest
from django.contrib.messages import get_messages

from portal.models import AuditEntry, Membership
from routing.tests.factories import RoutingRuleFactory

pytestmark = pytest.mark.django_db


def answer_url(project) -> str:
    return f"/answer_url/{project.stringee_project_id}/{project.webhook_token}/"


def test_an_admin_page_is_framed_by_no_one_and_its_changes_name_their_author(
    staff_client_for, tenant_a
):
    client = staff_client_for(tenant_a, Membership.Role.OWNER)
    rule = RoutingRuleFactory(project=tenant_a, name="Sales")
    page = client.get(f"/admin/routing/routingrule/{rule.pk}/change/")
    assert page.status_code == 200
    assert page["X-Frame-Options"] == "DENY"

    response = client.post(f"/admin/routing/routingrule/{rule.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert any("deleted" in str(message) for message in get_messages(response.wsgi_request))
    entry = AuditEntry.objects.get(object_pk=str(rule.pk), action=AuditEntry.Action.DELETE)
    assert entry.actor == response.wsgi_request.user
    assert entry.remote_addr == "127.0.0.1"


def test_a_webhook_opens_no_session_and_knows_no_user(client, tenant_a):
    response = client.get(answer_url(tenant_a), {"from": "84912345678", "to": "84899199866"})
    assert response.status_code == 200
    assert response.json()[0]["action"] in {"connect", "talk"}
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")
    assert not hasattr(response.wsgi_request, "session")
    assert not hasattr(response.wsgi_request, "user")


def test_only_paths_that_start_like_a_webhook_skip_the_staff_middleware(client):
    response = client.get("/admin/answer_url/")
    assert hasattr(response.wsgi_request, "session")
    assert hasattr(response.wsgi_request, "user")
