"""The "Try a call" page: staff place a test call through their project's routing, press keys on
the keypad, say what each callee does, and read the call with what decided each step."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from calls.models import CallRecord
from portal.devtools import demo
from portal.models import Membership, Project

pytestmark = pytest.mark.django_db
MENU = "Welcome to the demo hotline. Press 1 for User One, 2 for User Two, 3 for sales."


@pytest.fixture(autouse=True)
def _patient_database(settings):
    """The webhooks' database deadlines are lengthened: a busy test machine is slow."""
    settings.ROUTING_DATABASE_DEADLINE = 5
    settings.WEBHOOK_DATABASE_DEADLINE = 5


@pytest.fixture
def demo_project(db, tenant_b):
    call_command("seed_demo", stdout=StringIO())
    return Project.objects.get(stringee_project_id=demo.DEMO_PROJECT_ID)


@pytest.fixture
def owner(staff_client_for, demo_project):
    return staff_client_for(demo_project, Membership.Role.OWNER)


def page_of(project) -> str:
    return f"/admin/calls/callrecord/try/{project.stringee_project_id}/"


def press(client, project, **data) -> str:
    response = client.post(page_of(project), data, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def test_a_call_through_the_hotline_is_told_step_by_step_with_what_decided_it(owner, demo_project):
    html = press(owner, demo_project, start="1", kind="app", from_="user_1", to="hotline")
    assert MENU in html and 'id="keypad"' in html
    assert "Decided by" in html and "IVR hotline for app users" in html
    html = press(owner, demo_project, key="3")
    assert "Sales. Press 1 to reach our sales phone" in html
    # The menu that took the key, linked, though its decision is stored only with the next event.
    assert html.count("Demo hotline</a>") == 2
    html = press(owner, demo_project, key="1")
    assert 'id="outcomes"' in html and "Is busy" in html
    html = press(owner, demo_project, outcome="busy")
    assert "The call has ended." in html
    record = CallRecord.objects.get(project=demo_project, is_test=True)
    assert f'href="/admin/calls/callrecord/{record.pk}/change/"' in html
    assert record.end_cause == "486 Busy Here"


def test_the_page_shows_where_calls_go_and_a_first_call_to_try(owner, demo_project):
    html = owner.get(page_of(demo_project)).content.decode()
    assert 'class="mermaid"' in html  # the picture of where the project's calls go
    assert 'value="+84899199866"' in html and "Place the call" in html


def test_an_answer_the_call_does_not_wait_for_is_said_not_a_500(owner, demo_project):
    press(owner, demo_project, start="1", kind="app", from_="user_1", to="hotline")
    html = press(owner, demo_project, outcome="answered")  # the call waits for keys
    assert 'class="error"' in html
    assert 'id="keypad"' in html  # still waiting for them


def test_starting_over_forgets_the_call(owner, demo_project):
    press(owner, demo_project, start="1", kind="app", from_="user_1", to="hotline")
    html = press(owner, demo_project, new="1")
    assert 'id="transcript"' not in html and "Place the call" in html


def test_another_tenants_project_is_not_found(staff_client_for, demo_project, tenant_b):
    client = staff_client_for(tenant_b, Membership.Role.OWNER)
    assert client.get(page_of(demo_project)).status_code == 404
    response = client.post(page_of(demo_project), {"start": "1", "kind": "app", "from_": "u"})
    assert response.status_code == 404
    assert not CallRecord.objects.filter(project=demo_project).exists()


def test_a_viewer_may_not_place_test_calls(staff_client_for, demo_project):
    viewer = staff_client_for(demo_project, Membership.Role.VIEWER)
    assert viewer.get(page_of(demo_project)).status_code == 404


def test_the_page_speaks_vietnamese(owner, demo_project):
    owner.cookies["django_language"] = "vi"
    html = press(owner, demo_project, start="1", kind="app", from_="user_1", to="hotline")
    for english in ("Decided by", "Press nothing", "Try another call", "Where the project"):
        assert english not in html, english
