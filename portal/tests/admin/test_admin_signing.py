"""The project page keeps the signing secret masked and shows the tenant its signature failures."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.models import Membership, SigningMode, WebhookSignatureFailure
from portal.tests.helpers import project_page_form

pytestmark = pytest.mark.django_db


def page(client, project) -> str:
    return client.get(f"/admin/portal/project/{project.pk}/change/").content.decode()


def save(client, project, **changes):
    return client.post(
        f"/admin/portal/project/{project.pk}/change/", project_page_form(project, **changes)
    )


def test_signing_secret_is_masked_on_the_page(admin_client, tenant_a):
    tenant_a.signing_secret = "whsec-abcdefghijklmnop-WXYZ"
    tenant_a.save()
    html = page(admin_client, tenant_a)
    assert "whsec-abcdefghijklmnop-WXYZ" not in html
    assert "••••WXYZ" in html
    assert 'name="signing_secret"' in html and 'type="password"' in html


def test_blank_secret_keeps_the_current_one_and_a_new_one_replaces_it(admin_client, tenant_a):
    tenant_a.signing_secret = "first-secret"
    tenant_a.save()
    assert save(admin_client, tenant_a, signing_mode="report").status_code == 302
    tenant_a.refresh_from_db()
    assert (tenant_a.signing_secret, tenant_a.signing_mode) == ("first-secret", SigningMode.REPORT)
    assert save(admin_client, tenant_a, signing_secret="second-secret").status_code == 302
    tenant_a.refresh_from_db()
    assert tenant_a.signing_secret == "second-secret"


def test_checking_cannot_be_turned_on_without_a_secret(admin_client, tenant_a):
    response = save(admin_client, tenant_a, signing_mode="enforce")
    assert response.status_code == 200
    assert "Enter the signing secret key" in response.content.decode()
    tenant_a.refresh_from_db()
    assert tenant_a.signing_mode == SigningMode.OFF


def test_project_page_shows_the_count_and_the_last_ten_failures(
    staff_client_for, tenant_a, tenant_b
):
    now = timezone.now()
    for minute in range(12):
        WebhookSignatureFailure.objects.create(
            project=tenant_a,
            at=now - timedelta(minutes=minute),
            path=f"/event_url/1/<token>/{minute}",
            reason="mismatch",
        )
    WebhookSignatureFailure.objects.create(
        project=tenant_b, path="/answer_url/2/<token>/b", reason="missing"
    )
    html = page(staff_client_for(tenant_a, Membership.Role.OWNER), tenant_a)
    assert "12 in all; the latest 10" in html
    assert html.count("<td>Wrong signature</td>") == 10
    assert "/event_url/1/&lt;token&gt;/0<" in html and "/event_url/1/&lt;token&gt;/9<" in html
    assert "/event_url/1/&lt;token&gt;/10<" not in html
    assert "/answer_url/2/" not in html


def test_project_page_says_when_nothing_was_recorded(admin_client, tenant_a):
    assert "None recorded." in page(admin_client, tenant_a)
