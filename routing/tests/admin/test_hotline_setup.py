"""The "Set up a hotline" page: one guided form, errors next to the fields in plain words, a
preview that writes nothing, a save that goes back with links; another tenant's project, number
or agents are out of reach."""

from __future__ import annotations

import re

import pytest

from portal.models import Membership
from portal.tests.factories import AppUserFactory, VirtualNumberFactory
from routing.models import Holiday, IvrMenu, OpeningHours, RingGroup, RoutingRule

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(tenant_a, tenant_b):
    number = VirtualNumberFactory(project=tenant_a, number="+84899100001")
    theirs = VirtualNumberFactory(project=tenant_b, number="+84899100002")
    agents = [AppUserFactory(project=tenant_a, user_id=f"agent_{n}") for n in (1, 2)]
    outsider = AppUserFactory(project=tenant_b, user_id="their_agent")
    return {"number": number, "theirs": theirs, "agents": agents, "outsider": outsider}


def url(project, number=None) -> str:
    query = f"?number={number.pk}" if number else ""
    return f"/admin/routing/ivrmenu/hotline/{project.pk}/{query}"


def answers(setup, **changes) -> dict:
    data = {
        "number": setup["number"].pk,
        "name": "Support",
        "greeting_text": "Welcome. Press 1 for our team, 2 for the office.",
        "greeting_voice": "",
        "days": ["1", "2", "3", "4", "5"],
        "opens": "08:00",
        "closes": "18:00",
        "holidays": "2026-12-25\n2027-01-01",
        "closed_kind": "voicemail",
        "closed_text": "We are closed. Please leave a message.",
        "key-0-digit": "1",
        "key-0-kind": "group",
        "key-0-agents": [str(agent.pk) for agent in setup["agents"]],
        "key-0-order": "sequential",
        "key-1-digit": "2",
        "key-1-kind": "phone",
        "key-1-number": "84909876543",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_form_opens_with_sensible_defaults_from_the_numbers_page(
    staff_client_for, tenant_a, setup
):
    client = staff_client_for(tenant_a)
    page = client.get(f"/admin/portal/virtualnumber/{setup['number'].pk}/change/").content.decode()
    assert f'href="{url(tenant_a, setup["number"])}"' in page  # "Set up a hotline…"
    html = client.get(url(tenant_a, setup["number"])).content.decode()
    assert 'value="08:00"' in html and 'value="18:00"' in html
    assert re.search(r'name="days" value="1"[^>]*checked', html)
    assert not re.search(r'name="days" value="6"[^>]*checked', html)
    assert "Hotline +84899100001" in html
    assert '<option value="voicemail" selected>' in html
    assert "agent_1" in html and "their_agent" not in html and "+84899100002" not in html


def test_the_projects_page_links_to_the_form(staff_client_for, tenant_a, setup):
    page = staff_client_for(tenant_a).get(f"/admin/portal/project/{tenant_a.pk}/change/")
    assert f'href="{url(tenant_a)}"' in page.content.decode()


def test_preview_draws_the_plan_and_writes_nothing(staff_client_for, tenant_a, setup):
    response = staff_client_for(tenant_a).post(url(tenant_a), {**answers(setup), "preview": "1"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Preview: where calls will go" in html and 'class="mermaid"' in html
    assert "Support: closed" in html and "Ring group: Support — key 1" in html
    assert not RoutingRule.objects.exists() and not IvrMenu.objects.exists()
    assert not OpeningHours.objects.exists() and not Holiday.objects.exists()


def test_save_creates_everything_and_lists_it_with_links(staff_client_for, tenant_a, setup):
    client = staff_client_for(tenant_a)
    response = client.post(url(tenant_a, setup["number"]), {**answers(setup), "save": "1"})
    assert response.status_code == 302
    assert response["Location"] == f"/admin/portal/virtualnumber/{setup['number'].pk}/change/"
    page = client.get(response["Location"]).content.decode()
    menu = IvrMenu.objects.get(project=tenant_a)
    group = RingGroup.objects.get(project=tenant_a)
    assert "The hotline is set up." in page
    assert f'<a href="/admin/routing/ivrmenu/{menu.pk}/change/">' in page
    assert f'<a href="/admin/routing/ringgroup/{group.pk}/change/">' in page
    for rule in RoutingRule.objects.filter(project=tenant_a):
        assert f'<a href="/admin/routing/routingrule/{rule.pk}/change/">' in page
    assert "opening hours Mon–Fri 08:00–18:00" in page
    assert Holiday.objects.filter(project=tenant_a).count() == 2


def test_from_the_projects_page_save_goes_back_to_the_project(staff_client_for, tenant_a, setup):
    response = staff_client_for(tenant_a).post(url(tenant_a), {**answers(setup), "save": "1"})
    assert response["Location"] == f"/admin/portal/project/{tenant_a.pk}/change/"


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"key-0-agents": None}, "key-0-agents", "Choose the agents this key rings."),
        ({"key-1-number": ""}, "key-1-number", "Enter the phone number this key forwards to."),
        ({"key-1-number": "+449098790000"}, "key-1-number", "premium-rate"),
        ({"key-1-number": "not a phone"}, "key-1-number", "phone number"),
        ({"key-1-digit": "1"}, "key-1-digit", "This key is already used above."),
        ({"key-1-digit": ""}, "key-1-digit", "Choose the key callers press."),
        ({"closes": "07:00"}, "closes", "Closing must be after opening"),
        ({"holidays": "Christmas"}, "holidays", "“Christmas” is not a date"),
        ({"closed_kind": "phone"}, "closed_number", "Enter the phone number to forward to."),
        ({"greeting_text": ""}, "greeting_text", "Enter the greeting callers hear first."),
        ({"days": None}, "days", "Choose the days the hotline is open."),
        ({"number": "999999"}, "number", "Select a valid choice."),
    ],
)
def test_a_mistake_is_shown_next_to_its_field_and_nothing_is_saved(
    staff_client_for, tenant_a, setup, changes, field, words
):
    response = staff_client_for(tenant_a).post(
        url(tenant_a), {**answers(setup, **changes), "save": "1"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Please correct the errors below." in html
    assert words in html
    assert f'name="{field}"' in html
    assert not IvrMenu.objects.exists() and not RoutingRule.objects.exists()


def test_no_keys_at_all_is_refused_in_words(staff_client_for, tenant_a, setup):
    data = answers(
        setup, **{"key-0-digit": "", "key-0-kind": "", "key-1-digit": "", "key-1-kind": ""}
    )
    html = staff_client_for(tenant_a).post(url(tenant_a), {**data, "save": "1"}).content.decode()
    assert "Give at least one key the caller can press." in html


@pytest.mark.parametrize(
    "junk",
    [
        {"opens": "25:99"},
        {"key-0-agents": ["x", "99999999999999999999"]},
        {"key-2-digit": "Z", "key-2-kind": "sip"},
        {"number": "x", "days": ["9"]},
        {"name": "x" * 500, "greeting_audio": "not a file"},
        {"key-0-order": "simultaneous"},
    ],
)
def test_junk_input_is_answered_with_errors_never_a_server_error(
    staff_client_for, tenant_a, setup, junk
):
    response = staff_client_for(tenant_a).post(
        url(tenant_a), {**answers(setup, **junk), "save": "1"}
    )
    assert response.status_code == 200
    assert "Please correct the errors below." in response.content.decode()


def test_staff_cannot_open_another_tenants_project(staff_client_for, tenant_a, tenant_b, setup):
    client = staff_client_for(tenant_a)
    assert client.get(url(tenant_b)).status_code == 404
    assert client.post(url(tenant_b), {**answers(setup), "save": "1"}).status_code == 404
    assert not RoutingRule.objects.exists()


def test_another_tenants_number_is_not_offered_nor_accepted(staff_client_for, tenant_a, setup):
    client = staff_client_for(tenant_a)
    html = client.get(url(tenant_a, setup["theirs"])).content.decode()
    assert "+84899100002" not in html
    data = answers(setup, number=setup["theirs"].pk)
    response = client.post(url(tenant_a), {**data, "save": "1"})
    assert "Select a valid choice." in response.content.decode()
    assert not RoutingRule.objects.exists()


def test_another_tenants_agent_cannot_be_picked(staff_client_for, tenant_a, setup):
    data = answers(setup, **{"key-0-agents": [str(setup["outsider"].pk)]})
    response = staff_client_for(tenant_a).post(url(tenant_a), {**data, "save": "1"})
    assert "Select a valid choice." in response.content.decode()
    assert not RingGroup.objects.exists()


def test_viewers_may_not_set_up_a_hotline(staff_client_for, tenant_a, setup):
    client = staff_client_for(tenant_a, Membership.Role.VIEWER)
    assert client.get(url(tenant_a)).status_code == 404
    page = client.get(f"/admin/portal/virtualnumber/{setup['number'].pk}/change/").content.decode()
    assert "/hotline/" not in page
