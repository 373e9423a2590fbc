"""Webhook URLs resolve to a project by projectId + token, cached and invalidated on change."""

import pytest

from portal.errors import WebhookRejected
from portal.webhooks.door import project_for_webhook

pytestmark = pytest.mark.usefixtures("on_commit_at_once")


@pytest.mark.django_db
def test_right_token_resolves_the_project_with_no_query_once_warm(
    tenant_a, django_assert_num_queries
):
    with django_assert_num_queries(1):
        assert project_for_webhook(tenant_a.stringee_project_id, tenant_a.webhook_token) == tenant_a
    with django_assert_num_queries(0):
        assert project_for_webhook(tenant_a.stringee_project_id, tenant_a.webhook_token) == tenant_a


@pytest.mark.django_db
def test_unknown_or_inactive_project_is_404_and_wrong_token_403(tenant_a):
    with pytest.raises(WebhookRejected) as unknown:
        project_for_webhook(999999, "x")
    assert unknown.value.status == 404
    with pytest.raises(WebhookRejected) as wrong:
        project_for_webhook(tenant_a.stringee_project_id, "not-the-token")
    assert wrong.value.status == 403
    tenant_a.is_active = False
    tenant_a.save()
    with pytest.raises(WebhookRejected) as inactive:
        project_for_webhook(tenant_a.stringee_project_id, tenant_a.webhook_token)
    assert inactive.value.status == 404


@pytest.mark.django_db
def test_rotation_is_seen_at_once_despite_the_cache(tenant_a):
    project_for_webhook(tenant_a.stringee_project_id, tenant_a.webhook_token)
    tenant_a.rotate_webhook_token()
    assert project_for_webhook(tenant_a.stringee_project_id, tenant_a.webhook_token) == tenant_a
