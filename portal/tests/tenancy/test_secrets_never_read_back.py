"""Secrets are written, never read back: the API key secret and the signing secret appear on no
admin page, export, change history or API answer, for any role; a replaced secret stops working.

A viewer who could read the API key secret could sign REST tokens with it and act as an owner
through the API; these tests walk every admin page each role reaches, every export and every
API list and object.
"""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from calls.demo import seed_demo_calls
from portal.api.authentication import make_rest_token
from portal.devtools import demo
from portal.models import Export, Membership, Project
from portal.tests.helpers import admin_pages, export_text, jwt_headers, project_page_form
from routing.demo import seed_demo_routing

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("on_commit_at_once", "background_jobs_at_once"),
]

API_KEY_SECRET = "api-key-secret-never-read-back-0123456789"
SIGNING_SECRET = "signing-secret-never-read-back-9876543210"


@pytest.fixture
def demo_project():
    project = demo.seed_demo()
    project.api_key_secret = API_KEY_SECRET
    project.signing_secret = SIGNING_SECRET
    project.signing_mode = "report"
    project.save()
    seed_demo_routing(project)
    seed_demo_calls(project, count=20)
    # The change history holds the secrets' changes too: an owner sets them again.
    return project


def _login(client, project: Project, role: str):
    User = get_user_model()
    if role == "superuser":
        user = User.objects.get(username=demo.ADMIN_USERNAME)
    else:
        user = User.objects.create_user(f"{role}_of_demo", password="pw", is_staff=True)
        Membership.objects.create(user=user, project=project, role=role)
    client.force_login(user)
    return user


def _leaks(text: str) -> list[str]:
    return [secret for secret in (API_KEY_SECRET, SIGNING_SECRET) if secret in text]


@pytest.mark.parametrize("role", ["viewer", "operator", "owner", "superuser"])
def test_no_admin_page_shows_a_secret(client, demo_project, role):
    _login(client, demo_project, role)
    pages = 0
    for path, response in admin_pages(client):
        pages += 1
        assert not _leaks(response.content.decode(errors="replace")), f"{role} reads {path}"
    assert pages > 20  # the walk reached the project's page, its lists and objects
    project_page = client.get(f"/admin/portal/project/{demo_project.pk}/change/")
    assert project_page.status_code == 200
    assert "••••" in project_page.content.decode()  # the last four characters at most


@pytest.mark.parametrize("role", ["viewer", "owner"])
def test_no_export_shows_a_secret(client, demo_project, role):
    _login(client, demo_project, role)
    before = set(Export.objects.values_list("pk", flat=True))
    for name in ("calls_callrecord", "calls_callevent", "portal_auditentry"):
        assert client.post(reverse(f"admin:{name}_export")).status_code == 302
    made = Export.objects.exclude(pk__in=before)
    assert made.count() == 3
    for export in made:
        assert not _leaks(export_text(export)), export.source


def _api_get_paths(project: Project) -> list[str]:
    """Every GET of the management API: each list, and each object of it found by the list."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [
        path
        for path, operations in schema["paths"].items()
        if path.startswith("/api/v1/") and "get" in operations
    ]


@pytest.mark.parametrize("caller", ["viewer", "owner", "jwt"])
def test_no_api_answer_shows_a_secret(client, demo_project, caller):
    headers = {}
    if caller == "jwt":
        headers = jwt_headers(demo_project)
    else:
        _login(client, demo_project, caller)
    checked = 0
    for template in _api_get_paths(demo_project):
        if "{" in template:
            continue
        response = client.get(template, headers=headers)
        assert not _leaks(response.content.decode()), f"{caller} reads {template}"
        checked += 1
        body = response.json() if response.status_code == 200 else {}
        rows = body.get("results", []) if isinstance(body, dict) else body
        detail = next(
            (
                t
                for t in _api_get_paths(demo_project)
                if t.startswith(template)
                and t != template
                and t.count("{") == 1
                and t.endswith("}/")
            ),
            None,
        )
        if detail and rows and isinstance(rows[0], dict) and "id" in rows[0]:
            path = detail.split("{")[0] + f"{rows[0]['id']}/"
            answer = client.get(path, headers=headers)
            assert not _leaks(answer.content.decode()), f"{caller} reads {path}"
    assert checked > 10


def test_a_replaced_api_key_secret_stops_signing_tokens_at_once(client, demo_project):
    old_token = make_rest_token(demo_project)
    assert (
        client.get("/api/v1/projects/me/", headers={"X-STRINGEE-AUTH": old_token}).status_code
        == 200
    )
    _login(client, demo_project, "owner")
    form = client.get(f"/admin/portal/project/{demo_project.pk}/change/")
    assert 'name="api_key_secret"' in form.content.decode()
    assert API_KEY_SECRET not in form.content.decode()
    data = project_page_form(
        demo_project, api_key_secret="a-brand-new-secret-from-the-stringee-dashboard"
    )
    response = client.post(f"/admin/portal/project/{demo_project.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()
    refused = client.get("/api/v1/projects/me/", headers={"X-STRINGEE-AUTH": old_token})
    assert (refused.status_code, refused.json()["error"]) == (401, "bad_signature")
    demo_project.refresh_from_db()
    fresh = make_rest_token(demo_project)
    assert client.get("/api/v1/projects/me/", headers={"X-STRINGEE-AUTH": fresh}).status_code == 200


def test_a_viewer_cannot_sign_an_owners_token(client, demo_project):
    """The road the adversarial run took: read the secret as a viewer, sign a REST token, write
    through the API. The project page shows the viewer no secret to sign with."""
    _login(client, demo_project, "viewer")
    page = client.get(f"/admin/portal/project/{demo_project.pk}/change/").content.decode()
    assert API_KEY_SECRET not in page
    assert 'name="api_key_secret"' not in page
    refused = client.post(
        "/api/v1/users/",
        {"user_id": "intruder", "display_name": "x"},
        content_type="application/json",
    )
    assert refused.status_code == 403
