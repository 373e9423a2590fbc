"""Setting up a hotline writes hours, holidays, groups, the menu and two rules in one transaction:
all of it, or (when any part is refused) nothing."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from portal.tests.factories import AppUserFactory, VirtualNumberFactory
from routing.cache import routing_table
from routing.engine import decide
from routing.engine.types import Call
from routing.flow import flow_source
from routing.links import WebhookLinks
from routing.models import Holiday, IvrMenu, OpeningHours, RingGroup, RoutingRule
from routing.services import config as config_services
from routing.services import hotline as hotline_services
from routing.services.hotline import HotlinePlan, KeyPlan, hotline_save, hotline_table
from routing.tests.factories import RoutingRuleFactory

pytestmark = pytest.mark.django_db
NUMBER = "+84899100001"


@pytest.fixture
def plan(tenant_a, tenant_b) -> HotlinePlan:
    number = VirtualNumberFactory(project=tenant_a, number=NUMBER)
    VirtualNumberFactory(project=tenant_b, number="+84899100002")
    agents = [AppUserFactory(project=tenant_a, user_id=f"agent_{n}") for n in (1, 2)]
    return HotlinePlan(
        project=tenant_a,
        number=number,
        name="Support",
        greeting_text="Welcome. Press 1 for our team, 2 for the office.",
        keys=[
            KeyPlan(digit="1", kind="group", agents=agents),
            KeyPlan(digit="2", kind="phone", number="+84909876543"),
        ],
        holidays=[date(2026, 12, 25)],
        closed_text="We are closed. Leave a message after the tone.",
    )


def route(project, local_time: str, number: str = NUMBER):
    at = datetime.fromisoformat(local_time).replace(tzinfo=ZoneInfo(project.time_zone))
    call = Call("84901234567", number.lstrip("+"), False, at)
    return decide.route(routing_table(project), call, WebhookLinks(project))


def test_a_saved_hotline_greets_callers_while_open_and_takes_voicemail_after_hours(plan):
    created = hotline_save(plan=plan)

    group = RingGroup.objects.get(project=plan.project)
    assert [m.user.user_id for m in group.members.order_by("position")] == ["agent_1", "agent_2"]
    assert group.strategy == "sequential" and group.destination_kind == "voicemail"
    menu = IvrMenu.objects.get(project=plan.project, name="Support")
    assert menu.destination_kind == "voicemail"  # no "number not available" for a wrong key
    assert {o.digit: o.destination_kind for o in menu.options.all()} == {"1": "group", "2": "phone"}
    closed, opened = RoutingRule.objects.filter(project=plan.project).order_by("priority", "id")
    assert (closed.business_hours, closed.destination_kind) == ("closed", "voicemail")
    assert (opened.business_hours, opened.destination_menu) == ("open", menu)
    assert closed.called_number == opened.called_number == plan.number
    assert OpeningHours.objects.filter(project=plan.project).count() == 5
    assert list(Holiday.objects.filter(project=plan.project).values_list("date", flat=True)) == [
        date(2026, 12, 25)
    ]
    assert created.rules == [closed, opened] and created.groups == [group]

    assert route(plan.project, "2026-12-07 09:00").rule_name == "Support: open"  # a Monday
    assert route(plan.project, "2026-12-07 19:00").rule_name == "Support: closed"
    assert route(plan.project, "2026-12-25 10:00").rule_name == "Support: closed"  # holiday
    assert route(plan.project, "2026-12-12 10:00").rule_name == "Support: closed"  # Saturday


def test_the_hotline_goes_before_the_rules_that_took_the_number_before(plan):
    RoutingRuleFactory(project=plan.project, name="Everything", priority=50)
    hotline_save(plan=plan)
    names = list(RoutingRule.objects.filter(project=plan.project).values_list("name", flat=True))
    assert names == ["Support: closed", "Support: open", "Everything"]


def test_a_failure_halfway_leaves_nothing_behind(plan, monkeypatch):
    OpeningHours.objects.create(project=plan.project, weekday=6, opens=time(9), closes=time(12))
    saved = config_services.rule_save
    calls = []

    def refuse_second_rule(*, rule):
        calls.append(rule.name)
        if len(calls) == 2:
            raise ValidationError({"destination_menu": "Refused for the test."})
        return saved(rule=rule)

    monkeypatch.setattr(config_services, "rule_save", refuse_second_rule)
    with pytest.raises(ValidationError):
        hotline_save(plan=plan)

    assert calls == ["Support: closed", "Support: open"]  # the closed rule had been written
    assert not RoutingRule.objects.filter(project=plan.project).exists()
    assert not IvrMenu.objects.filter(project=plan.project).exists()
    assert not RingGroup.objects.filter(project=plan.project).exists()
    assert not Holiday.objects.filter(project=plan.project).exists()
    assert [str(w) for w in OpeningHours.objects.filter(project=plan.project)] == [
        "Saturday 09:00–12:00"
    ]


def test_a_refused_part_names_the_key_and_writes_nothing(plan):
    plan.keys[1].number = "+449098790000"  # premium rate: the toll-fraud guard refuses it
    plan.keys.append(KeyPlan(digit="3", kind="user"))
    with pytest.raises(ValidationError) as refused:
        hotline_save(plan=plan)
    errors = refused.value.message_dict
    assert "premium-rate" in " ".join(errors["keys.1.number"])
    assert errors["keys.2.agent"] == ["Choose the app user this key rings."]
    assert not IvrMenu.objects.exists() and not OpeningHours.objects.exists()


def test_another_tenants_agent_is_refused(plan, tenant_b):
    plan.keys[0].agents.append(AppUserFactory(project=tenant_b, user_id="theirs"))
    with pytest.raises(ValidationError) as refused:
        hotline_save(plan=plan)
    assert "belongs to another project" in " ".join(refused.value.message_dict["keys.0.agents"])
    assert not RingGroup.objects.exists()


def test_a_name_already_used_by_a_menu_is_refused_in_words(plan):
    IvrMenu.objects.create(project=plan.project, name="Support", greeting_text="Hi")
    with pytest.raises(ValidationError) as refused:
        hotline_services.hotline_check(plan=plan)
    assert "already has an IVR menu named “Support”" in refused.value.message_dict["name"][0]


def test_a_name_taken_by_someone_saving_at_the_same_moment_is_refused_in_words(plan, monkeypatch):
    # The other save lands between this one's checks and its INSERT: the database decides.
    IvrMenu.objects.create(project=plan.project, name=plan.name, greeting_text="Theirs.")
    monkeypatch.setattr(hotline_services, "_names_taken", lambda plan: {})
    monkeypatch.setattr(IvrMenu, "validate_unique", lambda self, exclude=None: None)
    monkeypatch.setattr(IvrMenu, "validate_constraints", lambda self, exclude=None: None)
    with pytest.raises(ValidationError) as refused:
        hotline_save(plan=plan)
    assert "just now" in refused.value.message_dict["name"][0]
    assert not RoutingRule.objects.filter(project=plan.project).exists()
    assert not RingGroup.objects.filter(project=plan.project).exists()


def test_the_preview_draws_the_plan_and_writes_nothing(plan):
    table = hotline_table(plan=plan, table=routing_table(plan.project))
    source = flow_source(table, number=NUMBER)
    assert "Support: closed" in source and "Support: open" in source
    assert "IVR menu: Support" in source and "Ring group: Support — key 1" in source
    assert "agent_1 (20 s)" in source and "Forward to +84909876543" in source
    assert source.index("Support: closed") < source.index("Support: open")
    assert not IvrMenu.objects.exists() and not RoutingRule.objects.exists()
    assert not OpeningHours.objects.exists() and not RingGroup.objects.exists()
