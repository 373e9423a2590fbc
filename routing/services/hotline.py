"""Set up a hotline in one go: opening hours, holidays, ring groups, an IVR menu with its keys, and
the "closed" and "open" rules of one number, checked and written in one transaction.

What it writes are the ordinary rows staff edit afterwards (the week page, holidays, ring groups,
IVR menus, routing rules); every piece goes through the same services and checks as when staff
write it by hand (routing.services.config, routing.services.calendar, the toll-fraud guard).
`hotline_table` draws the same plan into a routing table without writing anything, for the
preview picture.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, time

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from portal.models import AppUser, Project, VirtualNumber
from routing.engine.types import Table
from routing.kinds import CalledKind, DestinationKind, Direction, Hours, PartyKind, Strategy
from routing.models import Holiday, IvrMenu, IvrOption, OpeningHours, RingGroup, RoutingRule
from routing.services import calendar as calendar_services
from routing.services import config as config_services

# The kinds a key of a hotline may lead to (a new ring group is made for "group").
KEY_KINDS = (
    DestinationKind.USER,
    DestinationKind.GROUP,
    DestinationKind.PHONE,
    DestinationKind.VOICEMAIL,
    DestinationKind.MESSAGE,
)
CLOSED_KINDS = (DestinationKind.VOICEMAIL, DestinationKind.MESSAGE, DestinationKind.PHONE)
MEMBER_TIMEOUT = 20  # seconds each agent of a new ring group rings
FIRST_PRIORITY = 10  # the closed rule's priority when no rule takes calls to the number yet
# Model field of a key's row → the hotline form's field of that row.
KEY_FIELDS = {
    "digit": "digit",
    "destination_kind": "kind",
    "destination_user": "agent",
    "destination_number": "number",
    "message_text": "text",
    "members": "agents",
    "strategy": "order",
}
CLOSED_FIELDS = {
    "destination_kind": "closed_kind",
    "destination_number": "closed_number",
    "message_text": "closed_text",
}
MENU_FIELDS = {
    "greeting_text": "greeting_text",
    "greeting_voice": "greeting_voice",
    "greeting_audio": "greeting_audio",
    "name": "name",
}
# Ids the preview gives the rows it has not written (the picture links only saved rows).
NEW_MENU = "new_menu"
DIGIT_IDS = {"*": "star", "#": "hash"}


@dataclass
class KeyPlan:
    """One key of the menu: where pressing `digit` sends the caller."""

    digit: str
    kind: str
    agent: AppUser | None = None
    agents: list[AppUser] = field(default_factory=list)
    order: str = Strategy.SEQUENTIAL
    number: str = ""
    text: str = ""


@dataclass
class HotlinePlan:
    """Everything the guided form asked; nothing of it is written until `hotline_save`."""

    project: Project
    number: VirtualNumber
    name: str
    greeting_text: str
    keys: list[KeyPlan]
    greeting_voice: str = ""
    greeting_audio: str = ""
    days: list[int] = field(default_factory=lambda: [1, 2, 3, 4, 5])
    opens: time = time(8, 0)
    closes: time = time(18, 0)
    holidays: list[date] = field(default_factory=list)
    closed_kind: str = DestinationKind.VOICEMAIL
    closed_text: str = ""
    closed_number: str = ""
    final_text: str = ""  # what the menu says before voicemail when no valid key was pressed


@dataclass
class HotlineCreated:
    """The rows `hotline_save` wrote, for the message that links each one."""

    menu: IvrMenu
    groups: list[RingGroup]
    rules: list[RoutingRule]
    windows: list[OpeningHours]
    holidays: list[Holiday]


# --- the plan as unsaved rows ---------------------------------------------------------------------


def group_name(plan: HotlinePlan, key: KeyPlan) -> str:
    return _("%(name)s — key %(digit)s") % {"name": plan.name, "digit": key.digit}


def _group(plan: HotlinePlan, key: KeyPlan) -> tuple[RingGroup, list[dict]]:
    group = RingGroup(
        project=plan.project,
        name=group_name(plan, key),
        strategy=key.order,
        destination_kind=DestinationKind.VOICEMAIL,
    )
    members = [
        {"kind": PartyKind.USER, "user": agent, "number": "", "timeout": MEMBER_TIMEOUT}
        for agent in key.agents
    ]
    return group, members


def _option_row(key: KeyPlan, group: RingGroup | None = None) -> dict:
    return {
        "digit": key.digit,
        "destination_kind": key.kind,
        "destination_user": key.agent if key.kind == DestinationKind.USER else None,
        "destination_number": key.number if key.kind == DestinationKind.PHONE else "",
        "destination_group": group,
        "message_text": key.text
        if key.kind in (DestinationKind.VOICEMAIL, DestinationKind.MESSAGE)
        else "",
    }


def _menu(plan: HotlinePlan) -> IvrMenu:
    return IvrMenu(
        project=plan.project,
        name=plan.name,
        greeting_text=plan.greeting_text,
        greeting_voice=plan.greeting_voice,
        greeting_audio=plan.greeting_audio,
        destination_kind=DestinationKind.VOICEMAIL,
        message_text=plan.final_text,
    )


def _closed_rule(plan: HotlinePlan, priority: int) -> RoutingRule:
    kind = plan.closed_kind
    return RoutingRule(
        project=plan.project,
        name=_("%(name)s: closed") % {"name": plan.name},
        priority=priority,
        direction=Direction.ANY,
        called_kind=CalledKind.NUMBER,
        called_number=plan.number,
        business_hours=Hours.CLOSED,
        destination_kind=kind,
        destination_number=plan.closed_number if kind == DestinationKind.PHONE else "",
        message_text=plan.closed_text if kind != DestinationKind.PHONE else "",
    )


def _open_rule(plan: HotlinePlan, priority: int, menu: IvrMenu | None) -> RoutingRule:
    return RoutingRule(
        project=plan.project,
        name=_("%(name)s: open") % {"name": plan.name},
        priority=priority,
        direction=Direction.ANY,
        called_kind=CalledKind.NUMBER,
        called_number=plan.number,
        business_hours=Hours.OPEN,
        destination_kind=DestinationKind.MENU,
        destination_menu=menu,
    )


def _windows(plan: HotlinePlan) -> list[tuple[int, time, time]]:
    return [(day, plan.opens, plan.closes) for day in sorted(set(plan.days))]


def hotline_priorities(plan: HotlinePlan) -> tuple[int, int]:
    """The closed and the open rule's priorities: just before the first rule that could take a
    call to the number now, so the hotline answers it (no other rule is renumbered)."""
    reaching = RoutingRule.objects.filter(project=plan.project, enabled=True).filter(
        Q(called_kind=CalledKind.NUMBER, called_number=plan.number)
        | Q(called_kind__in=[CalledKind.ANY, CalledKind.PATTERN])
    )
    first = min(reaching.values_list("priority", flat=True), default=None)
    closed = FIRST_PRIORITY if first is None else max(first - 2, 0)
    return closed, closed + 1


# --- checks ---------------------------------------------------------------------------------------


def _keyed(exc: ValidationError, prefix: str, fields: dict[str, str]) -> dict[str, list[str]]:
    """A row's errors under the form's field names (`prefix` + field); others under `prefix`."""
    if not hasattr(exc, "error_dict"):
        return {prefix or NON_FIELD_ERRORS: exc.messages}
    errors: dict[str, list[str]] = {}
    for name, messages in exc.message_dict.items():
        target = f"{prefix}{fields[name]}" if name in fields else (prefix or NON_FIELD_ERRORS)
        errors.setdefault(target.rstrip("."), []).extend(messages)
    return errors


def _merge(errors: dict[str, list[str]], more: dict[str, list[str]]) -> None:
    for name, messages in more.items():
        errors.setdefault(name, []).extend(messages)


def _collect(errors: dict[str, list[str]], prefix: str, fields: dict[str, str], check) -> None:
    try:
        check()
    except ValidationError as exc:
        _merge(errors, _keyed(exc, prefix, fields))


def hotline_check(*, plan: HotlinePlan) -> None:
    """Raise ValidationError keyed by the guided form's fields ("keys.0.number", "closed_number",
    "hours"...) for everything in `plan` that the services would refuse. Writes nothing."""
    errors: dict[str, list[str]] = {}
    if not plan.number.belongs_to(plan.project.pk):
        errors["number"] = [_("This number is not one of the project's now.")]
    if not plan.keys:
        errors["keys"] = [_("Give at least one key the caller can press.")]
    if not plan.days:
        errors["days"] = [_("Choose the days the hotline is open.")]
    _collect(
        errors,
        "",
        {},
        lambda: calendar_services.week_check(plan.project, _windows(plan)),
    )
    if NON_FIELD_ERRORS in errors:
        errors["hours"] = errors.pop(NON_FIELD_ERRORS)
    menu = _menu(plan)
    _collect(errors, "", MENU_FIELDS, lambda: config_services.menu_check(menu))
    _merge(errors, _names_taken(plan))
    for index, key in enumerate(plan.keys):
        prefix = f"keys.{index}."
        if key.kind == DestinationKind.GROUP:
            if not key.agents:
                errors.setdefault(f"{prefix}agents", []).append(
                    _("Choose the agents this key rings.")
                )
                continue
            group, members = _group(plan, key)
            _collect(
                errors,
                prefix,
                KEY_FIELDS,
                lambda g=group, m=members: config_services.group_check(g, m),
            )
            continue
        option = IvrOption(**_option_row(key))
        _collect(
            errors,
            prefix,
            KEY_FIELDS,
            lambda o=option: config_services.option_check(o, menu),
        )
    closed = _closed_rule(plan, 0)
    _collect(errors, "", CLOSED_FIELDS, lambda: config_services.rule_check(closed))
    if errors:
        raise ValidationError(errors)


def _names_taken(plan: HotlinePlan) -> dict[str, list[str]]:
    """The menu's and the new groups' names must be new in the project (each is unique there)."""
    problems = []
    if IvrMenu.objects.filter(project=plan.project, name=plan.name).exists():
        problems.append(
            _("The project already has an IVR menu named “%(name)s”.") % {"name": plan.name}
        )
    wanted = [group_name(plan, key) for key in plan.keys if key.kind == DestinationKind.GROUP]
    taken = RingGroup.objects.filter(project=plan.project, name__in=wanted).values_list(
        "name", flat=True
    )
    problems += [
        _("The project already has a ring group named “%(name)s”.") % {"name": name}
        for name in sorted(taken)
    ]
    if problems:
        problems.append(_("Choose another name for the hotline."))
        return {"name": problems}
    return {}


# --- the write ------------------------------------------------------------------------------------


def hotline_save(*, plan: HotlinePlan) -> HotlineCreated:
    """Write the hotline: the project's week of opening hours (replaced), the new holidays, a ring
    group per "agents" key, the menu with its keys, then the closed rule and the open rule of
    the number. All of it or nothing: any refusal rolls the whole set back, and a name taken by
    someone saving at the same moment is refused like one taken before."""
    try:
        return _hotline_write(plan)
    except IntegrityError:
        raise ValidationError(_names_taken(plan) or {"name": [_NAME_RACE]}) from None


_NAME_RACE = _("Someone saved a menu or ring group with this name just now. Choose another name.")


@transaction.atomic
def _hotline_write(plan: HotlinePlan) -> HotlineCreated:
    hotline_check(plan=plan)
    closed_priority, open_priority = hotline_priorities(plan)
    windows = calendar_services.week_save(project=plan.project, windows=_windows(plan))
    holidays = holidays_add(project=plan.project, dates=plan.holidays)
    groups: list[RingGroup] = []
    rows = []
    for key in plan.keys:
        group = None
        if key.kind == DestinationKind.GROUP:
            group, members = _group(plan, key)
            config_services.group_save(group=group, members=members)
            groups.append(group)
        rows.append(_option_row(key, group))
    menu = config_services.menu_save(menu=_menu(plan), options=rows)
    rules = [
        config_services.rule_save(rule=_closed_rule(plan, closed_priority)),
        config_services.rule_save(rule=_open_rule(plan, open_priority, menu)),
    ]
    return HotlineCreated(menu, groups, rules, windows, holidays)


def holidays_add(*, project: Project, dates: list[date]) -> list[Holiday]:
    """Add the days the project is closed (a date it already has is kept as it is)."""
    known = set(Holiday.objects.filter(project=project).values_list("date", flat=True))
    created = []
    for day in sorted(set(dates) - known):
        holiday = Holiday(project=project, date=day)
        holiday.full_clean()
        holiday.save()
        created.append(holiday)
    return created


# --- the preview ----------------------------------------------------------------------------------


def _group_json(plan: HotlinePlan, key: KeyPlan, active: frozenset[str]) -> dict:
    group, _members = _group(plan, key)
    return {
        "id": "new_group_" + DIGIT_IDS.get(key.digit, key.digit),
        "name": group.name,
        "strategy": key.order,
        "caller_id": None,
        "members": [
            {"kind": "user", "address": agent.user_id, "timeout": MEMBER_TIMEOUT}
            for agent in key.agents
            if agent.user_id in active
        ],
        "final": group.destination_json(),
    }


def hotline_table(*, plan: HotlinePlan, table: Table) -> Table:
    """`table` (the project's routing now) as it would be once `plan` is saved: the new week and
    holidays, groups, menu and rules in their place. Pure: nothing is written."""
    groups = dict(table.groups)
    options = {}
    for key in plan.keys:
        row = _option_row(key)
        option = IvrOption(**row).destination_json()
        if key.kind == DestinationKind.GROUP:
            data = _group_json(plan, key, table.users)
            groups[data["id"]] = data
            option["group"] = data["id"]
        options[key.digit] = option
    menu = {**_menu(plan).as_routing_json(), "id": NEW_MENU, "options": options}
    closed_priority, open_priority = hotline_priorities(plan)
    closed = {**_closed_rule(plan, closed_priority).as_routing_json(), "id": "new_closed"}
    opened = _open_rule(plan, open_priority, None).as_routing_json()
    opened = {
        **opened,
        "id": "new_open",
        "destination": {**opened["destination"], "menu": NEW_MENU},
    }
    rules = _insert(list(table.rules), [(closed_priority, closed), (open_priority, opened)])
    hours: dict[str, list[list[str]]] = {}
    for weekday, opens, closes in _windows(plan):
        hours.setdefault(str(weekday), []).append([opens.isoformat(), closes.isoformat()])
    holidays = sorted(
        {*table.calendar.get("holidays", []), *(d.isoformat() for d in plan.holidays)}
    )
    return dataclasses.replace(
        table,
        rules=tuple(rules),
        menus={**table.menus, NEW_MENU: menu},
        groups=groups,
        calendar={"hours": hours, "holidays": holidays},
        **_indexes(rules, table.numbers),
    )


def _insert(rules: list[dict], new: list[tuple[int, dict]]) -> list[dict]:
    """Existing rules (in priority order) with the new ones after every rule of a priority not
    above theirs, as the engine orders rules (priority, then age)."""
    priorities = dict(
        RoutingRule.objects.filter(pk__in=[rule["id"] for rule in rules]).values_list(
            "pk", "priority"
        )
    )
    for priority, rule in new:
        at = next(
            (i for i, old in enumerate(rules) if priorities.get(old["id"], priority) > priority),
            len(rules),
        )
        priorities[rule["id"]] = priority
        rules.insert(at, rule)
    return rules


def _indexes(rules: list[dict], numbers: frozenset[str]) -> dict:
    """The table's lookups for `rules`, as routing.snapshot builds them."""
    by_number: dict[str, list[int]] = {}
    by_user: dict[str, list[int]] = {}
    general: list[int] = []
    for index, rule in enumerate(rules):
        called = rule["called"]
        if called["kind"] == CalledKind.NUMBER:
            if called["number"] in numbers:
                by_number.setdefault(called["number"], []).append(index)
        elif called["kind"] == CalledKind.USER:
            by_user.setdefault(called["user"], []).append(index)
        else:
            general.append(index)
    return {"by_number": by_number, "by_user": by_user, "general": tuple(general)}
