"""Webhook tokens: constant-time check, rotation with a grace period for the old one."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.tests.helpers import project_page_form


@pytest.mark.django_db
def test_rotated_token_keeps_working_only_during_the_grace_period(tenant_a, settings):
    settings.WEBHOOK_TOKEN_GRACE_SECONDS = 3600
    old = tenant_a.webhook_token
    tenant_a.rotate_webhook_token()
    assert tenant_a.webhook_token != old
    assert tenant_a.accepts_webhook_token(tenant_a.webhook_token)
    assert tenant_a.accepts_webhook_token(old)
    later = timezone.now() + timedelta(hours=2)
    assert not tenant_a.accepts_webhook_token(old, now=later)
    assert tenant_a.accepts_webhook_token(tenant_a.webhook_token, now=later)
    assert not tenant_a.accepts_webhook_token("guess")


@pytest.mark.django_db
def test_project_page_shows_webhook_urls_and_never_the_secret(admin_client, tenant_a):
    html = admin_client.get(f"/admin/portal/project/{tenant_a.pk}/change/").content.decode()
    assert tenant_a.answer_url in html
    assert tenant_a.event_url in html
    assert tenant_a.api_key_secret not in html
    assert tenant_a.masked_secret in html
    listing = admin_client.get("/admin/portal/project/").content.decode()
    assert tenant_a.api_key_secret not in listing


@pytest.mark.django_db
def test_saving_the_project_without_a_new_secret_keeps_the_old_one(admin_client, tenant_a):
    secret = tenant_a.api_key_secret
    response = admin_client.post(
        f"/admin/portal/project/{tenant_a.pk}/change/",
        project_page_form(tenant_a, name="Renamed", fallback_message="Sorry"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    tenant_a.refresh_from_db()
    assert tenant_a.name == "Renamed"
    assert tenant_a.api_key_secret == secret
