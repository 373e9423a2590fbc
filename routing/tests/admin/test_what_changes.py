"""'What changes?' on the routing pages: the form, unsaved, replayed against the project's calls of
the last week; staff read which calls would go elsewhere, counted, and nothing is saved."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from calls.tests.factories import CallRecordFactory
from portal.models import Membership, VirtualNumber
from portal.tests.factories import AppUserFactory, VirtualNumberFactory
from routing.models import RingGroup, RingGroupMember, RoutingRule
from routing.tests.factories import RoutingRuleFactory

pytestmark = pytest.mark.django_db
NUMBER = "+84899100001"


@pytest.fixture
def owner(staff_client_for, tenant_a):
    return staff_client_for(tenant_a, Membership.Role.OWNER)


@pytest.fixture
def line(tenant_a):
    """Calls to the number ring the Sales group; weekday evenings (18:00 to 19:00) too, by their
    own rule."""
    number = VirtualNumberFactory(project=tenant_a, number=NUMBER)
    sales = RingGroup.objects.create(project=tenant_a, name="Sales", destination_kind="voicemail")
    agent = AppUserFactory(project=tenant_a, user_id="anna")
    RingGroupMember.objects.create(group=sales, position=1, kind="user", user=agent)
    evenings = RoutingRuleFactory(
        project=tenant_a,
        name="Evenings",
        priority=1,
        called_kind="number",
        called_number=number,
        schedule_days="12345",
        schedule_start="18:00",
        schedule_end="19:00",
        destination_kind="group",
        destination_group=sales,
    )
    RoutingRuleFactory(
        project=tenant_a,
        name="Sales line",
        priority=10,
        called_kind="number",
        called_number=number,
        destination_kind="group",
        destination_group=sales,
    )
    return evenings


def local_days_ago(project, days: int, hour: int, minute: int = 20) -> datetime:
    zone = ZoneInfo(project.time_zone)
    day = (timezone.now().astimezone(zone) - timedelta(days=days)).date()
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)


def calls_over_the_week(project, to=NUMBER, caller="+84901234567") -> None:
    """One call at 18:20 and one at 10:20 on each weekday, within the last seven days."""
    number = VirtualNumber.objects.filter(project=project, number=to).first()
    now = timezone.now()
    for days in range(8):
        for hour in (18, 10):
            if not now - timedelta(days=7) < local_days_ago(project, days, hour) < now:
                continue
            CallRecordFactory(
                project=project,
                direction="phone_to_app",
                from_number=caller,
                from_user="",
                to_number=to,
                to_user="anna",
                virtual_number=number,
                started_at=local_days_ago(project, days, hour),
            )


def rule_form(rule: RoutingRule, **changes) -> dict:
    data = {
        "project": rule.project_id,
        "name": rule.name,
        "priority": rule.priority,
        "enabled": "on",
        "direction": rule.direction,
        "called_kind": rule.called_kind,
        "called_number": rule.called_number_id or "",
        "schedule_days": rule.schedule_days,
        "schedule_start": rule.schedule_start or "",
        "schedule_end": rule.schedule_end or "",
        "business_hours": "any",
        "destination_kind": rule.destination_kind,
        "destination_group": rule.destination_group_id or "",
        "record_format": "mp3",
        "on_fail_kind": "message",
        "peer_to_peer_call": "unknown",
    }
    data.update(changes)
    return data


def ask(client, rule: RoutingRule, **changes) -> str:
    url = f"/admin/routing/routingrule/{rule.pk}/what-changes/"
    response = client.post(url, rule_form(rule, **changes))
    assert response.status_code == 200
    return response.content.decode()


def test_moving_weekday_evening_calls_to_voicemail_is_counted_and_nothing_is_saved(
    owner, tenant_a, line
):
    calls_over_the_week(tenant_a)
    html = ask(owner, line, destination_kind="voicemail", destination_group="")
    assert "5 of 14 calls of the last 7 days would go elsewhere" in html
    assert (
        "5 calls to +84899100001, Mon–Fri 18:00–19:00: Ring group Sales → Take a voicemail" in html
    )
    assert html.count("from +84901234567,") == 3  # a few examples, not all five
    line.refresh_from_db()
    assert line.destination_kind == "group"  # nothing saved


def test_an_edit_that_moves_no_call_says_so(owner, tenant_a, line):
    calls_over_the_week(tenant_a)
    html = ask(owner, line, name="Evenings (renamed)")
    assert "No call would go elsewhere." in html
    assert "14 calls of the last 7 days replayed." in html


def test_the_change_button_is_on_the_rule_page(owner, line):
    html = owner.get(f"/admin/routing/routingrule/{line.pk}/change/").content.decode()
    assert "What changes?" in html
    assert f"/admin/routing/routingrule/{line.pk}/what-changes/" in html


def test_another_tenants_calls_never_appear(owner, tenant_a, tenant_b, line):
    VirtualNumberFactory(project=tenant_b, number="+84899200002")
    calls_over_the_week(tenant_b, to="+84899200002", caller="+84907777777")
    calls_over_the_week(tenant_a)
    html = ask(owner, line, destination_kind="voicemail", destination_group="")
    assert "5 of 14 calls" in html
    assert "+84907777777" not in html and "+84899200002" not in html


def test_another_tenants_rule_is_not_found(owner, tenant_b):
    theirs = RoutingRuleFactory(project=tenant_b, name="Theirs", destination_kind="voicemail")
    response = owner.post(f"/admin/routing/routingrule/{theirs.pk}/what-changes/", {})
    assert response.status_code == 404


def test_a_form_with_mistakes_says_so_instead_of_replaying(owner, tenant_a, line):
    calls_over_the_week(tenant_a)
    html = ask(owner, line, schedule_start="25:99", destination_kind="menu", destination_group="")
    assert "The form has mistakes" in html
    assert "Nothing was replayed" in html
    assert "would go elsewhere" not in html


def test_a_ring_group_edit_is_told_with_its_members(owner, tenant_a, line):
    calls_over_the_week(tenant_a)
    sales = RingGroup.objects.get(name="Sales")
    member = sales.members.get()
    data = {
        "project": tenant_a.pk,
        "name": "Sales",
        "strategy": "sequential",
        "destination_kind": "message",
        "message_text": "We are closed.",
        "members-TOTAL_FORMS": 1,
        "members-INITIAL_FORMS": 1,
        "members-0-id": member.pk,
        "members-0-group": sales.pk,
        "members-0-position": 1,
        "members-0-kind": "user",
        "members-0-user": member.user_id,
        "members-0-timeout": 20,
    }
    html = owner.post(f"/admin/routing/ringgroup/{sales.pk}/what-changes/", data)
    text = html.content.decode().replace("&quot;", '"')
    assert "14 of 14 calls" in text
    assert "nobody answers: Take a voicemail) → Ring group Sales (app user anna;" in text


def test_a_shorter_week_is_told_as_calls_moving(owner, tenant_a):
    number = VirtualNumberFactory(project=tenant_a, number=NUMBER)
    RoutingRuleFactory(
        project=tenant_a,
        name="Closed",
        priority=1,
        called_kind="number",
        called_number=number,
        business_hours="closed",
        destination_kind="voicemail",
    )
    RoutingRuleFactory(
        project=tenant_a,
        name="Open",
        priority=2,
        called_kind="number",
        called_number=number,
        destination_kind="message",
        message_text="Hello",
    )
    calls_over_the_week(tenant_a)
    data = {"week-TOTAL_FORMS": 7, "week-INITIAL_FORMS": 0}
    for index in range(7):  # open 08:00 to 17:00 (none set: open all day): 18:20 is now closed
        data |= {
            f"week-{index}-weekday": index + 1,
            f"week-{index}-opens": "08:00",
            f"week-{index}-closes": "17:00",
        }
    url = f"/admin/routing/openinghours/week/{tenant_a.pk}/what-changes/"
    html = owner.post(url, data).content.decode().replace("&quot;", '"').replace("&#x27;", "'")
    moved = (
        "7 calls to +84899100001, every day 18:00–19:00: Say “Hello”, hang up → Take a voicemail"
    )
    assert moved in html


def test_a_viewer_cannot_replay(staff_client_for, tenant_a, line):
    viewer = staff_client_for(tenant_a, Membership.Role.VIEWER)
    response = viewer.post(f"/admin/routing/routingrule/{line.pk}/what-changes/", rule_form(line))
    assert response.status_code == 403


def test_callers_told_apart_by_a_rule_are_replayed_apart(tenant_a, line):
    """Calls are routed once per kind of call (same called party, times and caller patterns),
    so a caller pattern must still split them."""
    from routing.what_if import rule_edit, what_changes

    vip = RoutingRuleFactory(
        project=tenant_a,
        name="VIP",
        priority=0,
        called_kind="number",
        called_number=line.called_number,
        caller_pattern="8491",
        destination_kind="group",
        destination_group=line.destination_group,
    )
    calls_over_the_week(tenant_a, caller="+84912345678")
    calls_over_the_week(tenant_a, caller="+84901234567")
    vip.destination_kind, vip.destination_group = "voicemail", None
    replay = what_changes(tenant_a, rule_edit(vip))
    assert replay.replayed == 28 and replay.moved == 14
    assert all("+84912345678" in example for example in replay.moves[0].examples)


def test_test_calls_placed_from_the_portal_are_not_replayed(owner, tenant_a, line):
    calls_over_the_week(tenant_a)
    CallRecordFactory(
        project=tenant_a,
        call_id="call-test-ABCDEFGHIJ-1796660000000",
        is_test=True,
        direction="phone_to_app",
        from_number="+84907777777",
        to_number=NUMBER,
        virtual_number=VirtualNumber.objects.get(number=NUMBER),
        started_at=local_days_ago(tenant_a, 1, 18),
    )
    html = ask(owner, line, destination_kind="voicemail", destination_group="")
    assert "5 of 14 calls" in html and "+84907777777" not in html


def test_a_menu_edit_is_told_with_its_keys(owner, tenant_a, hotline):
    for days in range(1, 4):
        CallRecordFactory(
            project=tenant_a,
            direction="app_to_app",
            from_user="agent",
            to_user="hotline",
            to_number="",
            started_at=local_days_ago(tenant_a, days, 11),
        )
    keys = list(hotline.options.order_by("digit"))
    data = {
        "project": tenant_a.pk,
        "name": "Top",
        "greeting_text": "Main menu.",
        "timeout": 10,
        "max_retries": 2,
        "invalid_message": "Wrong key.",
        "destination_kind": "message",
        "message_text": "Goodbye.",
        "options-TOTAL_FORMS": 2,
        "options-INITIAL_FORMS": 2,
        "options-MIN_NUM_FORMS": 0,
        "options-MAX_NUM_FORMS": 12,
    }
    for index, key in enumerate(keys):
        data |= {
            f"options-{index}-id": key.pk,
            f"options-{index}-menu": hotline.pk,
            f"options-{index}-digit": key.digit,
            f"options-{index}-destination_kind": key.destination_kind,
            f"options-{index}-destination_user": key.destination_user_id or "",
            f"options-{index}-destination_menu": key.destination_menu_id or "",
        }
    data["options-0-destination_kind"] = "voicemail"  # key 1 now takes a voicemail
    data["options-0-destination_user"] = ""
    html = owner.post(f"/admin/routing/ivrmenu/{hotline.pk}/what-changes/", data).content.decode()
    assert "3 of 3 calls" in html
    assert "1: Ring app user agent;" in html and "1: Take a voicemail;" in html
    assert hotline.options.get(digit="1").destination_kind == "user"  # nothing saved
    page = owner.get(f"/admin/routing/ivrmenu/{hotline.pk}/change/").content.decode()
    assert f"/admin/routing/ivrmenu/{hotline.pk}/what-changes/" in page
