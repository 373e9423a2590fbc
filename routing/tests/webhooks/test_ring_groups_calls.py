"""Ring groups: members are tried one by one through on-fail callbacks, then the final step."""

import json
import threading
from collections import Counter
from datetime import UTC, datetime

import pytest

from portal.tests.factories import AppUserFactory, VirtualNumberFactory
from routing import engine
from routing.engine.types import Call, Table
from routing.models import RingGroup, RingGroupMember
from routing.state import LiveState
from routing.tests.factories import IvrMenuFactory, IvrOptionFactory, RoutingRuleFactory
from routing.tests.helpers import answer, press

NUMBER = "+84899100001"


def fail(client, on_fail_url: str):
    """Stringee reporting that a leg could not reach its callee (continueOnFail)."""
    path = "/" + on_fail_url.split("://", 1)[1].split("/", 1)[1]
    return client.post(path, json.dumps({"callId": "call-1"}), content_type="application/json")


@pytest.fixture
def support(tenant_a):
    agents = [AppUserFactory(project=tenant_a, user_id=f"agent_{i}") for i in (1, 2)]
    group = RingGroup.objects.create(
        project=tenant_a,
        name="Support",
        destination_kind="voicemail",
        message_text="Leave a message.",
    )
    RingGroupMember.objects.create(group=group, position=0, kind="user", user=agents[0], timeout=15)
    RingGroupMember.objects.create(group=group, position=1, kind="user", user=agents[1], timeout=20)
    RingGroupMember.objects.create(
        group=group, position=2, kind="phone", number="+84909000111", timeout=25
    )
    return group


@pytest.mark.django_db
def test_sequential_group_walks_members_through_on_fail_and_ends_in_voicemail(
    client, tenant_a, support
):
    number = VirtualNumberFactory(project=tenant_a, number=NUMBER)
    RoutingRuleFactory(
        project=tenant_a,
        called_kind="number",
        called_number=number,
        destination_kind="group",
        destination_group=support,
    )
    first = answer(
        client, tenant_a, from_="84901234567", to="84899100001", fromInternal="false", uuid="call-1"
    )
    legs = [first.json()]
    while legs[-1][-1]["action"] == "connect":
        connect = legs[-1][-1]
        assert connect["continueOnFail"] is True
        legs.append(fail(client, connect["onFailEventUrl"]).json())
        assert len(legs) < 10
    rung = [(leg[0]["to"]["number"], leg[0]["timeout"]) for leg in legs[:-1]]
    assert rung == [("agent_1", 15), ("agent_2", 20), ("84909000111", 25)]
    assert (
        legs[0][0]["onFailEventUrl"]
        .split("?")[0]
        .endswith(f"/ring/{tenant_a.stringee_project_id}/{tenant_a.webhook_token}/{support.pk}/")
    )
    assert [action["action"] for action in legs[-1]] == ["talk", "recordMessage"]
    voicemail_url = f"/recording_event/{tenant_a.stringee_project_id}/{tenant_a.webhook_token}/"
    assert voicemail_url in legs[-1][1]["eventUrl"]


@pytest.mark.django_db
def test_ivr_option_can_ring_a_group(client, tenant_a, support):
    menu = IvrMenuFactory(project=tenant_a)
    IvrOptionFactory(menu=menu, digit="2", destination_kind="group", destination_group=support)
    RoutingRuleFactory(project=tenant_a, destination_kind="menu", destination_menu=menu)
    greeting = answer(
        client, tenant_a, from_="84901234567", to="84899100001", fromInternal="false"
    ).json()
    connect = press(client, greeting[-1]["eventUrl"], "2").json()[0]
    assert connect["to"]["number"] == "agent_1"


@pytest.mark.django_db
def test_group_of_another_project_cannot_be_a_rules_destination(tenant_a, tenant_b, support):
    from django.core.exceptions import ValidationError

    rule = RoutingRuleFactory.build(
        project=tenant_b, destination_kind="group", destination_group=support
    )
    with pytest.raises(ValidationError) as raised:
        rule.clean()
    assert "destination_group" in raised.value.message_dict


class Links:
    def ring(self, group_id, call, tried, start):
        return f"https://p.example/ring/{group_id}/?next={tried}&start={start}"

    def recording(self, call):
        return "https://p.example/rec/"


def round_robin_table(members: int) -> Table:
    group = {
        "id": 7,
        "name": "Sales",
        "strategy": "round_robin",
        "caller_id": None,
        "members": [
            {"kind": "user", "address": f"agent_{i}", "timeout": 20} for i in range(members)
        ],
        "final": {"kind": "message", "text": "Nobody is free."},
    }
    rule = {
        "id": 1,
        "name": "to sales",
        "direction": "any",
        "called": {"kind": "any"},
        "caller_pattern": "",
        "days": [],
        "start": None,
        "end": None,
        "destination": {"kind": "group", "group": 7},
        "options": {},
    }
    return Table(
        1,
        "Asia/Ho_Chi_Minh",
        "Closed",
        frozenset(),
        frozenset(),
        (rule,),
        {},
        {},
        (0,),
        {},
        {"7": group},
    )


def test_round_robin_shares_100_concurrent_calls_fairly():
    table, calls, first = round_robin_table(3), 100, []
    start = threading.Barrier(20)

    def route_five():
        start.wait()
        for _ in range(calls // 20):
            call = Call("84901234567", "sales", False, datetime.now(UTC))
            first.append(engine.route(table, call, Links(), LiveState()).scco[0]["to"]["number"])

    threads = [threading.Thread(target=route_five) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    counts = Counter(first)
    assert sum(counts.values()) == calls
    assert set(counts) == {"agent_0", "agent_1", "agent_2"}
    assert max(counts.values()) - min(counts.values()) <= 1


def test_round_robin_call_starts_after_the_previous_calls_first_member_and_wraps():
    table = round_robin_table(3)
    call = Call("84901234567", "sales", False, datetime.now(UTC))
    firsts = [
        engine.route(table, call, Links(), LiveState()).scco[0]["to"]["number"] for _ in range(4)
    ]
    assert firsts == ["agent_0", "agent_1", "agent_2", "agent_0"]
    # the second leg of a call that started at agent_2 is agent_0
    step = engine.ring_step(engine.Context(call, table, Links()), 7, tried=1, start=2)
    assert step.scco[0]["to"]["number"] == "agent_0"
