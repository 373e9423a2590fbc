"""Staff are told, on save and in the lists, when a rule can never be reached and when a menu or
ring group is used by nothing; the rules list names what each rule matches."""

import re

import pytest

from portal.models import Membership
from portal.tests.factories import VirtualNumberFactory
from routing.models import RingGroup, RoutingRule
from routing.tests.factories import IvrMenuFactory, RoutingRuleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(staff_client_for, tenant_a):
    return staff_client_for(tenant_a, Membership.Role.OWNER)


@pytest.fixture
def number(tenant_a):
    return VirtualNumberFactory(project=tenant_a, number="+84899100001")


def rule_form(project, number, **changes):
    data = {
        "project": project.pk,
        "name": "Closed",
        "priority": 20,
        "enabled": "on",
        "direction": "any",
        "called_kind": "number",
        "called_number": number.pk,
        "business_hours": "closed",
        "destination_kind": "voicemail",
        "record_format": "mp3",
        "on_fail_kind": "message",
        "peer_to_peer_call": "unknown",
    }
    data.update(changes)
    return data


def test_saving_a_rule_an_earlier_one_always_catches_says_so(owner, tenant_a, number):
    RoutingRuleFactory(project=tenant_a, name="Everything", priority=10, destination_kind="message")
    response = owner.post(
        "/admin/routing/routingrule/add/", rule_form(tenant_a, number), follow=True
    )
    page = response.content.decode()
    assert RoutingRule.objects.filter(name="Closed").exists()  # saved: a warning, not a refusal
    assert "“Closed” is never reached: “Everything” (priority 10) catches every call" in page
    listing = owner.get("/admin/routing/routingrule/").content.decode()
    assert "never: “Everything” (priority 10) catches every call first" in listing


def test_a_new_catch_all_names_the_rules_it_hides(owner, tenant_a, number):
    RoutingRuleFactory(
        project=tenant_a,
        name="Hotline",
        priority=50,
        called_kind="number",
        called_number=number,
        destination_kind="message",
    )
    data = rule_form(tenant_a, number, name="Catch all", priority=5, called_kind="any")
    data.pop("business_hours")
    page = owner.post("/admin/routing/routingrule/add/", data, follow=True).content.decode()
    assert "“Hotline” is never reached: “Catch all” (priority 5)" in page


def test_a_rule_before_a_wider_one_is_no_warning(owner, tenant_a, number):
    RoutingRuleFactory(project=tenant_a, name="Everything", priority=90, destination_kind="message")
    page = owner.post(
        "/admin/routing/routingrule/add/", rule_form(tenant_a, number), follow=True
    ).content.decode()
    assert "never reached" not in page
    listing = owner.get("/admin/routing/routingrule/").content.decode()
    assert "never:" not in listing


def test_the_rules_list_names_the_number_user_or_pattern(owner, tenant_a, number):
    RoutingRuleFactory(project=tenant_a, called_kind="number", called_number=number)
    RoutingRuleFactory(project=tenant_a, called_kind="pattern", called_pattern="8428")
    listing = owner.get("/admin/routing/routingrule/").content.decode()
    assert "+84899100001" in listing and "numbers starting 8428" in listing
    assert "One of the project&#x27;s numbers" not in listing


def test_a_menu_nothing_sends_calls_to_is_pointed_out(owner, tenant_a, tenant_b):
    idle = IvrMenuFactory(project=tenant_a, name="Forgotten menu")
    used = IvrMenuFactory(project=tenant_a, name="Main menu")
    RoutingRuleFactory(project=tenant_a, destination_kind="menu", destination_menu=used)
    IvrMenuFactory(project=tenant_b, name="Their menu")
    listing = owner.get("/admin/routing/ivrmenu/").content.decode()
    rows = re.findall(r"<tr.*?</tr>", listing, flags=re.S)
    row_of = {
        name: next(row for row in rows if f">{name}<" in row)
        for name in ("Forgotten menu", "Main menu")
    }
    assert "No rule, IVR key or final step sends calls here" in row_of["Forgotten menu"]
    assert "No rule" not in row_of["Main menu"]
    assert "Their menu" not in listing
    page = owner.post(
        f"/admin/routing/ivrmenu/{idle.pk}/change/",
        {
            "project": tenant_a.pk,
            "name": "Forgotten menu",
            "greeting_text": "Hello",
            "timeout": 5,
            "max_retries": 2,
            "invalid_message": "Sorry, that key does nothing.",
            "destination_kind": "message",
            "options-TOTAL_FORMS": 0,
            "options-INITIAL_FORMS": 0,
            "options-MIN_NUM_FORMS": 0,
            "options-MAX_NUM_FORMS": 12,
        },
        follow=True,
    ).content.decode()
    assert "No rule, IVR key or final step sends calls here yet" in page


def test_menu_and_group_pages_show_where_the_projects_calls_go(owner, tenant_a, number):
    menu = IvrMenuFactory(project=tenant_a, name="Main menu")
    RoutingRuleFactory(
        project=tenant_a,
        name="Hotline",
        called_kind="number",
        called_number=number,
        destination_kind="menu",
        destination_menu=menu,
    )
    group = RingGroup.objects.create(project=tenant_a, name="Desk", destination_kind="message")
    for path in (f"ivrmenu/{menu.pk}", f"ringgroup/{group.pk}"):
        page = owner.get(f"/admin/routing/{path}/change/").content.decode()
        assert 'id="flow-source"' in page and "mermaid.min.js" in page, path
        assert "Main menu" in page.split('id="flow-source"')[1], path
    owner.cookies["django_language"] = "vi"
    page = owner.get(f"/admin/routing/ivrmenu/{menu.pk}/change/").content.decode()
    assert "Rules are tried top to bottom" not in page  # the legend speaks Vietnamese too
