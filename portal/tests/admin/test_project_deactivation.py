"""Deactivating a project asks first and says what stops working; only a confirmed post saves."""

import pytest

from portal.models import Membership, Project
from portal.tests.factories import VirtualNumberFactory
from portal.tests.helpers import project_page_form

pytestmark = pytest.mark.django_db

LIST = "/admin/portal/project/"


def _form(project: Project, **changes) -> dict:
    return project_page_form(project, **{"is_active": "on", **changes})


@pytest.fixture
def owner(staff_client_for, tenant_a):
    VirtualNumberFactory(project=tenant_a, number="+84901111111")
    return staff_client_for(tenant_a, Membership.Role.OWNER)


def _answer_url(client, project):
    return client.get(
        f"/answer_url/{project.stringee_project_id}/{project.webhook_token}/",
        {"from": "84902222222", "to": "84901111111"},
    )


def test_unticking_is_active_shows_what_stops_working_and_saves_nothing(owner, tenant_a):
    response = owner.post(f"{LIST}{tenant_a.pk}/change/", _form(tenant_a, is_active=None))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Deactivate" in html and "404" in html
    assert "no longer routed" in html and "+84901111111" in html
    assert "Yes, deactivate" in html
    tenant_a.refresh_from_db()
    assert tenant_a.is_active
    assert _answer_url(owner, tenant_a).status_code == 200


def test_confirming_deactivates_and_the_webhooks_answer_404(owner, tenant_a):
    form = _form(tenant_a, is_active=None, name="Renamed too")
    response = owner.post(f"{LIST}{tenant_a.pk}/change/", {**form, "_confirm_deactivation": "yes"})
    assert response.status_code == 302
    tenant_a.refresh_from_db()
    assert not tenant_a.is_active and tenant_a.name == "Renamed too"
    assert _answer_url(owner, tenant_a).status_code == 404


def test_the_confirmation_page_posts_the_same_form_back(owner, tenant_a):
    form = _form(tenant_a, is_active=None, fallback_message="Closed for good")
    html = owner.post(f"{LIST}{tenant_a.pk}/change/", form).content.decode()
    assert 'name="fallback_message" value="Closed for good"' in html
    assert 'name="_confirm_deactivation" value="yes"' in html
    assert 'name="is_active"' not in html


def test_saving_without_deactivating_does_not_ask(owner, tenant_a):
    response = owner.post(f"{LIST}{tenant_a.pk}/change/", _form(tenant_a, name="New name"))
    assert response.status_code == 302
    tenant_a.refresh_from_db()
    assert tenant_a.name == "New name" and tenant_a.is_active


def test_an_invalid_form_shows_its_errors_before_any_question(owner, tenant_a):
    response = owner.post(
        f"{LIST}{tenant_a.pk}/change/", _form(tenant_a, is_active=None, retention_days="abc")
    )
    assert response.status_code == 200
    assert "Yes, deactivate" not in response.content.decode()
    assert response.context["adminform"].form.errors


def test_reactivating_does_not_ask(owner, tenant_a):
    Project.objects.filter(pk=tenant_a.pk).update(is_active=False)
    tenant_a.refresh_from_db()
    response = owner.post(f"{LIST}{tenant_a.pk}/change/", _form(tenant_a))
    assert response.status_code == 302
    tenant_a.refresh_from_db()
    assert tenant_a.is_active


def test_the_list_action_asks_first_too(owner, tenant_a):
    page = owner.post(LIST, {"action": "deactivate_projects", "_selected_action": [tenant_a.pk]})
    assert page.status_code == 200 and "Yes, deactivate" in page.content.decode()
    tenant_a.refresh_from_db()
    assert tenant_a.is_active
    owner.post(
        LIST,
        {
            "action": "deactivate_projects",
            "_selected_action": [tenant_a.pk],
            "_confirm_deactivation": "yes",
        },
    )
    tenant_a.refresh_from_db()
    assert not tenant_a.is_active


def test_operators_cannot_deactivate(staff_client_for, tenant_a):
    client = staff_client_for(tenant_a, Membership.Role.OPERATOR)
    response = client.post(
        f"{LIST}{tenant_a.pk}/change/",
        {**_form(tenant_a, is_active=None), "_confirm_deactivation": "yes"},
    )
    assert response.status_code == 403
    tenant_a.refresh_from_db()
    assert tenant_a.is_active
