"""Call setup on workers of its own: the answer_url and the callbacks of its SCCOs point at
CALL_SETUP_BASE_URL, events and recordings at PUBLIC_BASE_URL, and a server started with
PORTAL_POOL=call_setup answers call setup and nothing else."""

import pytest

from routing.tests.helpers import answer, press

pytestmark = pytest.mark.django_db

SETUP = "https://call-setup.example.com"
PORTAL = "https://portal.example.com"


@pytest.fixture
def two_bases(settings):
    settings.CALL_SETUP_BASE_URL = SETUP
    settings.PUBLIC_BASE_URL = PORTAL


def start(client, project):
    return answer(
        client, project, from_="user_9", to="hotline", fromInternal="true", callId="call-1"
    )


def test_the_project_gives_stringee_the_call_setup_server_for_answers_only(two_bases, tenant_a):
    assert tenant_a.answer_url.startswith(f"{SETUP}/answer_url/{tenant_a.stringee_project_id}/")
    assert tenant_a.event_url.startswith(f"{PORTAL}/event_url/{tenant_a.stringee_project_id}/")


def test_menu_callbacks_point_at_the_call_setup_server(two_bases, client, tenant_a, hotline):
    menu = start(client, tenant_a).json()
    assert menu[1]["eventUrl"].startswith(f"{SETUP}/ivr/{tenant_a.stringee_project_id}/")
    sub_menu = press(client, menu[1]["eventUrl"], "2").json()
    assert sub_menu[1]["eventUrl"].startswith(f"{SETUP}/ivr/")


@pytest.fixture
def call_setup_server(settings, two_bases):
    settings.ROOT_URLCONF = "portal.urls_call_setup"


def test_a_call_setup_server_walks_a_whole_menu(call_setup_server, client, tenant_a, hotline):
    menu = start(client, tenant_a)
    assert menu.status_code == 200
    final = press(client, menu.json()[1]["eventUrl"], "1").json()
    assert final[0]["action"] == "connect" and final[0]["to"]["number"] == "agent"


@pytest.mark.parametrize(
    "path", ["/event_url/{sid}/{token}/", "/recording_event/{sid}/{token}/", "/api/v1/rules/"]
)
def test_a_call_setup_server_refuses_other_traffic(call_setup_server, client, tenant_a, path):
    url = path.format(sid=tenant_a.stringee_project_id, token=tenant_a.webhook_token)
    response = client.post(url, "{}", content_type="application/json")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_a_call_setup_server_has_no_admin_but_answers_health_checks(call_setup_server, client):
    assert client.get("/admin/").status_code == 404
    assert client.get("/healthz").status_code == 200
