"""A call's admin page tells its story in words: timeline, rules and menus that fired, errors,
player."""

from datetime import UTC, datetime

import pytest

from calls.models import Recording
from calls.story import call_decisions, end_in_words
from calls.tests.factories import CallEventFactory, CallRecordFactory, call_event
from portal.models import Membership
from portal.tests.factories import MembershipFactory
from routing.models import RoutingErrorLog
from routing.tests.factories import IvrMenuFactory, RoutingRuleFactory

pytestmark = pytest.mark.django_db
T = 1_767_240_000_000  # 2026-01-01 04:00 UTC = 11:00 in Ho Chi Minh City


@pytest.fixture
def story(tenant_a, tenant_b):
    rule = RoutingRuleFactory(project=tenant_a, name="Hotline to the menu")
    menu = IvrMenuFactory(project=tenant_a, name="Front desk")
    foreign = RoutingRuleFactory(project=tenant_b, name="Rule of tenant B")
    record = CallRecordFactory(
        project=tenant_a,
        call_id="story-call",
        status="answered",
        ring_seconds=4,
        talk_seconds=61,
        end_cause="200 OK",
        ended_by="caller",
        started_at=datetime.fromtimestamp(T / 1000, tz=UTC),
        routing=[
            {
                "rule": rule.pk,
                "rule_name": rule.name,
                "reason": f"rule “{rule.name}”",
                "scco": [
                    {"action": "input", "eventUrl": f"https://x/ivr/1/tok/{menu.pk}/?attempt=1"}
                ],
            },
            {
                "rule": None,
                "rule_name": "",
                "reason": "menu “Front desk”: pressed 1",
                "scco": [{"action": "connect", "to": {"type": "internal", "number": "agent_1"}}],
            },
            {"rule": foreign.pk, "rule_name": "forged", "reason": "x", "scco": []},
        ],
    )
    for status, offset in [("created", 0), ("ringing", 1000), ("answered", 4000)]:
        CallEventFactory(
            project=tenant_a,
            call_id="story-call",
            status=status,
            timestamp_ms=T + offset,
            occurred_at=datetime.fromtimestamp((T + offset) / 1000, tz=UTC),
        )
    CallEventFactory(
        project=tenant_a,
        call_id="story-call",
        status="ended",
        timestamp_ms=T + 65000,
        occurred_at=datetime.fromtimestamp((T + 65000) / 1000, tz=UTC),
        payload=call_event(
            "story-call", "ended", T + 65000, endCallCause="200 OK", endedBy="caller"
        ),
    )
    Recording.objects.create(
        project=tenant_a,
        call=record,
        url="https://api.stringee.com/v1/call/recording/story-call",
        format="mp3",
        duration_seconds=61,
        payload={},
    )
    error = RoutingErrorLog.objects.create(
        project=tenant_a, call_id="story-call", error="menu timed out"
    )
    RoutingErrorLog.objects.create(
        project=tenant_b, call_id="story-call", error="error of tenant B"
    )
    return record, rule, menu, error


def page(client, record):
    return client.get(f"/admin/calls/callrecord/{record.pk}/change/").content.decode()


def test_the_story_reads_in_words_with_links_and_a_player(staff_client_for, tenant_a, story):
    record, rule, menu, error = story
    html = page(staff_client_for(tenant_a, Membership.Role.VIEWER), record)
    assert "Answered" in html and "Ended by the caller: normal hang-up (200 OK)." in html
    assert "2026-01-01 11:00:01</span>Ringing" in html  # local time of the project
    assert f'href="/admin/routing/routingrule/{rule.pk}/change/">Hotline to the menu</a>' in html
    assert f'href="/admin/routing/ivrmenu/{menu.pk}/change/">Front desk</a>' in html
    assert "Connects to app user agent_1" in html and "Waits for the caller to press a key" in html
    assert (
        f'href="/admin/routing/routingerrorlog/{error.pk}/change/"' in html
        and "menu timed out" in html
    )
    played = Recording.objects.get(call__call_id="story-call")
    assert f'<audio controls preload="none" src="/admin/calls/recording/{played.pk}/audio/"' in html


def test_nothing_of_another_tenant_appears_in_the_story(staff_client_for, tenant_a, story):
    html = page(staff_client_for(tenant_a), story[0])
    assert "Rule of tenant B" not in html and "error of tenant B" not in html
    assert "forged (since deleted)" in html  # a rule id of another tenant is not looked up


def test_raw_payloads_are_one_click_away_not_in_the_default_view(staff_client_for, tenant_a, story):
    html = page(staff_client_for(tenant_a), story[0])
    visible, raw = html.split('<details class="raw"', 1)
    assert '"call_status"' not in visible and "&quot;call_status&quot;" not in visible
    assert "call_status" in raw and "Raw data for support" in raw


def test_other_tenants_staff_cannot_open_the_story(staff_client_for, tenant_b, story):
    response = staff_client_for(tenant_b).get(
        f"/admin/calls/callrecord/{story[0].pk}/change/", follow=True
    )
    assert "Hotline to the menu" not in response.content.decode()


@pytest.mark.parametrize("role", ["owner", "viewer", "superuser"])
def test_the_call_pages_render_for_every_role(client, admin_user, tenant_a, story, role):
    user = (
        admin_user if role == "superuser" else MembershipFactory(project=tenant_a, role=role).user
    )
    client.force_login(user)
    assert client.get(f"/admin/calls/callrecord/{story[0].pk}/change/").status_code == 200
    assert client.get("/admin/calls/callrecord/").status_code == 200


@pytest.mark.django_db
def test_decisions_are_read_in_one_place_and_end_causes_in_words():
    record = CallRecordFactory(routing=[{"rule": 1}, "junk"])
    assert call_decisions(record) == [{"rule": 1}]
    assert (
        end_in_words("486 Busy Here", "callee")
        == "Ended by the person called: the line was busy (486 Busy Here)"
    )
    assert end_in_words("", "") == ""


def test_stringees_named_end_causes_are_said_in_words_too():
    assert end_in_words("USER_END_CALL", "EXTERNAL") == (
        "Ended by the phone caller or person called: hung up (USER_END_CALL)"
    )
    assert end_in_words("NORMAL_CLEARING", "INTERNAL") == (
        "Ended by the app user: normal hang-up (NORMAL_CLEARING)"
    )
    assert end_in_words("SOMETHING_NEW", "") == "Ended: SOMETHING_NEW"


@pytest.mark.django_db
def test_durations_read_as_minutes_and_seconds_on_the_list_and_the_call(admin_client):
    record = CallRecordFactory(
        ring_seconds=7, talk_seconds=337, end_cause="NORMAL_CLEARING", ended_by="caller"
    )
    listing = admin_client.get("/admin/calls/callrecord/").content.decode()
    assert '<td class="field-talk">5 min 37 s</td>' in listing
    page = admin_client.get(f"/admin/calls/callrecord/{record.pk}/change/").content.decode()
    assert "<dd>5 min 37 s</dd>" in page and "<dd>7 s</dd>" in page and "337 s" not in page
    assert "Ended by the caller: normal hang-up" in page
