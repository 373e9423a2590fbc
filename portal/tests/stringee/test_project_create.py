"""Superusers create a project on Stringee from the projects list: the worker asks Stringee
(POST /v1/project, account token), then adds the project with the id and API key it gave; the
secret is stored, never shown. Staff of a tenant cannot reach the page."""

import pytest

from portal.models import Project, ProjectCreation
from portal.stringee.projects import creation_send
from portal.tests.stringee.fake_stringee import ACCOUNT_SID

pytestmark = pytest.mark.django_db

URL = "/admin/portal/project/create-on-stringee/"


@pytest.fixture
def at_once(on_commit_at_once, background_jobs_at_once):
    return None


def test_a_superuser_creates_a_project_on_stringee_and_it_is_added_with_its_keys(
    stringee, admin_client, at_once
):
    listing = admin_client.get("/admin/portal/project/").content.decode()
    assert URL in listing
    response = admin_client.post(
        URL, {"name": "Acme", "time_zone": "Asia/Ho_Chi_Minh"}, follow=True
    )
    (seen,) = stringee.seen
    assert (seen.method, seen.path, seen.body) == ("POST", "/v1/project", {"name": "Acme"})
    assert seen.claims["iss"] == ACCOUNT_SID  # the account token
    project = Project.objects.get(name="Acme")
    assert project.stringee_project_id == 90001
    assert project.api_key_sid == "SK.created.1"
    assert project.api_key_secret == "created-secret-1-0123456789abcdef"
    html = response.content.decode()
    assert "was created on Stringee (projectId 90001)" in html
    assert project.answer_url in html  # the URLs to paste into Stringee's dashboard
    assert "created-secret-1-0123456789abcdef" not in html
    assert ProjectCreation.objects.get().state == ProjectCreation.State.CREATED


def test_the_secret_is_never_logged(stringee, admin_client, at_once, caplog):
    caplog.set_level("DEBUG")
    admin_client.post(URL, {"name": "Acme", "time_zone": "Asia/Ho_Chi_Minh"})
    assert "created-secret-1" not in caplog.text


def test_stringee_refusing_is_said_and_no_project_is_added(stringee, admin_client, at_once):
    stringee.refuse_message = "Project limit reached"
    response = admin_client.post(
        URL, {"name": "Acme", "time_zone": "Asia/Ho_Chi_Minh"}, follow=True
    )
    assert "was not created on Stringee" in response.content.decode()
    assert "Project limit reached" in response.content.decode()
    assert not Project.objects.filter(name="Acme").exists()


def test_while_the_worker_has_not_answered_the_page_says_so(stringee, admin_client, settings):
    settings.STRINGEE_CALLOUT_WAIT = 0
    response = admin_client.post(
        URL, {"name": "Acme", "time_zone": "Asia/Ho_Chi_Minh"}, follow=True
    )
    assert "is being created on Stringee" in response.content.decode()
    creation = ProjectCreation.objects.get()
    assert creation.state == ProjectCreation.State.PENDING
    assert creation_send(creation_id=creation.pk) == ProjectCreation.State.CREATED
    assert creation_send(creation_id=creation.pk) == "taken"  # never a second project
    assert len(stringee.projects) == 1


def test_tenant_staff_cannot_create_projects_on_stringee(
    stringee, staff_client_for, tenant_a, at_once
):
    client = staff_client_for(tenant_a)
    assert URL not in client.get("/admin/portal/project/").content.decode()
    assert client.post(URL, {"name": "Mine", "time_zone": "Asia/Ho_Chi_Minh"}).status_code == 403
    assert stringee.seen == []


def test_without_a_stringee_account_the_page_says_how_to_connect(admin_client, settings):
    settings.STRINGEE_ACCOUNT_SID = ""
    assert "STRINGEE_ACCOUNT_SID" in admin_client.get(URL).content.decode()
    html = admin_client.post(URL, {"name": "Acme", "time_zone": "UTC"}).content.decode()
    assert "No Stringee account is connected" in html
    assert ProjectCreation.objects.count() == 0
