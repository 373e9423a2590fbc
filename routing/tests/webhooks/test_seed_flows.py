"""The demo tenant's answer_url returns the contract's four sample SCCOs exactly."""

from io import StringIO

import pytest
from django.core.management import call_command

from portal.devtools import demo
from portal.models import Project
from routing.tests.helpers import answer

pytestmark = pytest.mark.django_db
PN1, PN2, PN3, PN4 = (
    n.lstrip("+")
    for n in (demo.PHONE_NUMBER_1, demo.PHONE_NUMBER_2, demo.PHONE_NUMBER_3, demo.PHONE_NUMBER_4)
)


@pytest.fixture
def demo_project():
    call_command("seed_demo", stdout=StringIO())
    return Project.objects.get(stringee_project_id=demo.DEMO_PROJECT_ID)


def connect(from_, to):
    return [
        {
            "action": "connect",
            "from": {"type": from_[0], "number": from_[1], "alias": from_[2]},
            "to": {"type": to[0], "number": to[1], "alias": to[2]},
            "customData": "test-custom-data",
        }
    ]


def test_flow_1_app_user_calls_app_user(client, demo_project):
    response = answer(
        client,
        demo_project,
        from_="user_1",
        to="user_2",
        fromInternal="true",
        userId="user_1",
        projectId=str(demo.DEMO_PROJECT_ID),
        custom="",
        callId="call-vn-1-A-1",
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == connect(
        ("internal", "user_1", "user_1"), ("internal", "user_2", "user_2")
    )


def test_flow_2_app_user_calls_a_phone_from_the_project_number(client, demo_project):
    response = answer(client, demo_project, from_=PN1, to=PN2, fromInternal="true", userId="user_1")
    assert response.json() == connect(("internal", PN1, PN1), ("external", PN2, PN2))


def test_flow_3_phone_call_to_project_number_rings_user_1(client, demo_project):
    response = answer(client, demo_project, from_=PN2, to=PN1, fromInternal="false", uuid="u-1")
    assert response.json() == connect(("external", PN2, PN2), ("internal", "user_1", PN1))


def test_flow_4_phone_call_to_number_4_is_forwarded_showing_number_4(client, demo_project):
    response = answer(client, demo_project, from_=PN2, to=PN4, fromInternal="false", uuid="u-2")
    assert response.json() == connect(("external", PN2, PN4), ("external", PN3, PN3))


def test_seeding_twice_keeps_one_set_of_demo_rules(demo_project):
    call_command("seed_demo", stdout=StringIO())
    assert demo_project.routing_rules.count() == 5
    assert demo_project.ivr_menus.count() == 2


def test_app_user_calling_hotline_hears_the_demo_menu(client, demo_project):
    scco = answer(client, demo_project, from_="user_1", to="hotline", fromInternal="true").json()
    assert [action["action"] for action in scco] == ["talk", "input"]
    assert "demo hotline" in scco[0]["text"]
