"""The "where calls go" picture: its Mermaid source says what the routing table does (pure), and
the project and number pages show it to every role of their own tenant."""

import itertools
import re
import time
from io import StringIO

import pytest
from django.core.management import call_command

from portal.devtools import demo
from portal.models import Project, VirtualNumber
from portal.tests.factories import AppUserFactory, MembershipFactory, VirtualNumberFactory
from routing.cache import rebuild, routing_table
from routing.engine.types import Table
from routing.flow import flow_source, text
from routing.models import IvrMenu, RingGroup, RingGroupMember, RoutingRule
from routing.tests.factories import RoutingRuleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_project():
    call_command("seed_demo", stdout=StringIO())
    return Project.objects.get(stringee_project_id=demo.DEMO_PROJECT_ID)


def labels(source: str) -> dict[str, str]:
    """node id → label of every node in a Mermaid source."""
    return dict(re.findall(r'^\s+(\w+)[\(\[]{1,2}"(.*?)"[\)\]]{1,2}$', source, re.M))


def edges(source: str) -> set[tuple[str, str, str]]:
    found = set()
    for a, label, b in re.findall(r'^\s+(\w+) -->(?:\|"(.*?)"\|)? (\w+)$', source, re.M):
        found.add((a, label, b))
    return found


def test_flow_picture_of_the_demo_tenant_matches_its_routing(demo_project):
    rules = {rule.name: rule.pk for rule in RoutingRule.objects.filter(project=demo_project)}
    menus = {menu.name: menu.pk for menu in IvrMenu.objects.filter(project=demo_project)}
    source = flow_source(routing_table(demo_project))
    nodes, links = labels(source), edges(source)
    assert source.startswith("flowchart TD\n")

    chain = (
        ["start"]
        + [
            f"r{rules[name]}"
            for name in (
                "Flow 1: app user calls app user",
                "IVR hotline for app users",
                "Flow 2: app user calls a phone",
                "Flow 3: number 1 rings user_1",
                "Flow 4: number 4 forwards to phone 3",
            )
        ]
        + ["fallback"]
    )
    for position, (a, b) in enumerate(itertools.pairwise(chain)):
        assert (a, "" if position == 0 else "no", b) in links  # rules are tried in priority order
    flow3 = f"r{rules['Flow 3: number 1 rings user_1']}"
    assert nodes[flow3] == (
        "<b>4. Flow 3: number 1 rings user_1</b><br/>from a phone · to +84899199866<br/>"
        "then → Ring app user user_1"
    )
    flow4 = f"r{rules['Flow 4: number 4 forwards to phone 3']}"
    assert nodes[flow4].endswith("then → Forward to +84909876543<br/>(shows 84899199867)")

    hotline, sales = f"m{menus['Demo hotline']}", f"m{menus['Sales']}"
    assert (f"r{rules['IVR hotline for app users']}", "then", hotline) in links
    assert nodes[f"r{rules['IVR hotline for app users']}"].endswith(
        "then → IVR menu Demo hotline ↓"
    )
    keys = nodes[hotline].split("<br/>")
    assert keys[0] == "<b>IVR menu: Demo hotline</b>"
    assert keys[2:] == [
        "key 1 → Ring app user user_1",
        "key 2 → Ring app user user_2",
        "key 3 → IVR menu Sales ↓",
        "no valid key after 3 tries → Say “The number you called is not available”, hang up",
    ]
    assert (hotline, "key 3", sales) in links  # the sub-menu, drawn once
    assert "key 1 → Forward to +84909876543" in nodes[sales]
    assert "The number you called is not available" in nodes["fallback"]


def test_a_numbers_picture_keeps_only_the_rules_a_call_to_it_can_reach(demo_project):
    rules = {rule.name: rule.pk for rule in RoutingRule.objects.filter(project=demo_project)}
    source = flow_source(routing_table(demo_project), number=demo.PHONE_NUMBER_1)
    flow3 = f"r{rules['Flow 3: number 1 rings user_1']}"
    assert set(re.findall(r"^\s+(r\d+)\(", source, re.M)) == {flow3}
    assert ("start", "", flow3) in edges(source) and (flow3, "no", "fallback") in edges(source)
    other = flow_source(routing_table(demo_project), number=demo.PHONE_NUMBER_4)
    assert "Flow 4: number 4 forwards to phone 3" in other and "Flow 3" not in other


def test_a_number_that_left_the_project_says_it_is_not_routed(demo_project):
    source = flow_source(routing_table(demo_project), number=demo.INVENTORY[0])
    assert re.findall(r"^\s+r\d+\(", source, re.M) == []
    assert "Not a number of this project now" in source


def test_ring_groups_show_members_in_order_and_their_final_step(tenant_a):
    agent = AppUserFactory(project=tenant_a, user_id="agent_7")
    group = RingGroup.objects.create(
        project=tenant_a, name="Support", destination_kind="voicemail", strategy="round_robin"
    )
    RingGroupMember.objects.create(group=group, position=1, kind="user", user=agent, timeout=15)
    RingGroupMember.objects.create(
        group=group, position=2, kind="phone", number="+84901112222", timeout=20
    )
    RoutingRuleFactory(
        project=tenant_a, name="Support line", destination_kind="group", destination_group=group
    )
    source = flow_source(routing_table(tenant_a))
    node = labels(source)[f"g{group.pk}"]
    assert node == (
        "<b>Ring group: Support</b><br/>rings in turn, after the last one rung:<br/>"
        "1. agent_7 (15 s)<br/>2. +84901112222 (20 s)<br/>nobody answered → Take a voicemail"
    )
    rule = RoutingRule.objects.get(name="Support line")
    assert (f"r{rule.pk}", "then", f"g{group.pk}") in edges(source)


def test_labels_cannot_break_out_of_the_diagram(tenant_a):
    RoutingRuleFactory(project=tenant_a, name='VIP "gold" <script>#1', caller_pattern="^\\+?849")
    source = flow_source(routing_table(tenant_a))
    assert "VIP #quot;gold#quot; #lt;script#gt;#35;1" in source
    assert "<script>" not in source
    assert text("a\nb  c") == "a b c"


def test_conditions_hours_days_and_masking_are_in_words(tenant_a):
    number = VirtualNumberFactory(project=tenant_a, number="+84899100500")
    RoutingRuleFactory(
        project=tenant_a,
        name="Office",
        schedule_days="12345",
        business_hours="open",
        schedule_start="08:00",
        schedule_end="17:30",
        caller_pattern="8490",
    )
    table = routing_table(tenant_a)
    assert (
        "Office</b><br/>caller starting 8490 · Mon–Fri 08:00–17:30 · only while open"
        in flow_source(table)
    )
    masked = Table(**{**table.__dict__, "masking_pool": {number.number: number.pk}})
    assert "Masking number" in flow_source(masked, number=number.number)


def test_nodes_link_to_their_admin_pages(demo_project):
    source = flow_source(routing_table(demo_project), link=lambda kind, pk: f"/admin/{kind}/{pk}/")
    rule = RoutingRule.objects.filter(project=demo_project).order_by("priority").first()
    assert f'click r{rule.pk} href "/admin/rule/{rule.pk}/"' in source


def test_fifty_rules_stay_one_readable_chain(tenant_a):
    RoutingRule.objects.bulk_create(
        RoutingRule(
            project=tenant_a,
            name=f"Rule {i:02d}",
            priority=i,
            called_kind="pattern",
            called_pattern=f"849{i:02d}",
            destination_kind="message",
            message_text=f"Line {i}",
        )
        for i in range(50)
    )
    rebuild(tenant_a.pk)  # bulk_create sends no signal
    started = time.perf_counter()
    source = flow_source(routing_table(tenant_a))
    assert time.perf_counter() - started < 0.1
    assert len(re.findall(r"^\s+r\d+\(", source, re.M)) == 50
    assert (
        "50. Rule 49</b><br/>to numbers starting 84949<br/>then → Say “Line 49”, hang up" in source
    )
    chain = [
        f"r{pk}"
        for pk in RoutingRule.objects.filter(project=tenant_a)
        .order_by("priority")
        .values_list("pk", flat=True)
    ]
    assert all(
        (a, "no", b) in edges(source) for a, b in itertools.pairwise(chain)
    )  # one straight column


@pytest.mark.parametrize("role", ["owner", "viewer", "superuser"])
def test_project_and_number_pages_show_the_picture_to_every_role(
    client, admin_user, tenant_a, tenant_b, role
):
    number = VirtualNumberFactory(project=tenant_a, number="+84899100600")
    RoutingRuleFactory(
        project=tenant_a,
        name="Main line",
        called_kind="number",
        called_number=number,
        destination_kind="message",
        message_text="Hello",
    )
    RoutingRuleFactory(project=tenant_b, name="Other tenant rule")
    if role == "superuser":
        client.force_login(admin_user)
    else:
        client.force_login(MembershipFactory(project=tenant_a, role=role).user)
    for url in (
        f"/admin/portal/project/{tenant_a.pk}/change/",
        f"/admin/portal/virtualnumber/{number.pk}/change/",
    ):
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200
        assert 'class="mermaid"' in html and "Main line" in html
        assert "Other tenant rule" not in html
        assert "vendor/mermaid/mermaid.min.js" in html


def test_stock_numbers_page_says_they_are_not_routed(admin_client):
    stock = VirtualNumberFactory(project=None, status=VirtualNumber.Status.AVAILABLE)
    html = admin_client.get(f"/admin/portal/virtualnumber/{stock.pk}/change/").content.decode()
    assert "not assigned to a project" in html
