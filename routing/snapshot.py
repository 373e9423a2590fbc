"""Compile a project's routing data (rules, numbers, users, menus, groups, calendar) into one JSON
snapshot.

The snapshot is what the answer_url reads: rules in priority order plus dict indexes (called
number → rules, called user → rules), so routing a call never scans another tenant's rows.
"""

from django.db.models import Prefetch

from portal.models import AppUser, Project, VirtualNumber, dial_policy
from routing.kinds import CalledKind
from routing.models import (
    Holiday,
    IvrMenu,
    IvrOption,
    MaskingPoolNumber,
    OpeningHours,
    RingGroup,
    RingGroupMember,
    RoutingRule,
)
from routing.prompts import spoken_prompts

SNAPSHOT_VERSION = 6  # 6: where calls may go, and the hourly ceiling


def build_snapshot(project: Project) -> dict:
    """The routing snapshot of `project`."""
    project_id = project.pk
    assigned = VirtualNumber.objects.filter(
        project_id=project_id, status=VirtualNumber.Status.ASSIGNED
    ).only("number", "fallback_message", "fallback_audio")
    numbers, number_fallbacks = [], {}
    for number in assigned:
        numbers.append(number.number)
        if (fallback := number.fallback_json()) is not None:
            number_fallbacks[number.number] = fallback
    numbers.sort()
    prompts = spoken_prompts(project)
    users = sorted(
        AppUser.objects.filter(project_id=project_id, is_active=True).values_list(
            "user_id", flat=True
        )
    )
    rules = [
        rule.as_routing_json()
        for rule in RoutingRule.objects.filter(project_id=project_id, enabled=True)
        .select_related("called_number", "called_user", "caller_id", "destination_user")
        .order_by("priority", "id")
    ]
    options = IvrOption.objects.select_related("destination_user")
    menus = (
        IvrMenu.objects.filter(project_id=project_id)
        .select_related("destination_user")
        .prefetch_related(Prefetch("options", queryset=options))
    )
    groups = RingGroup.objects.filter(project_id=project_id).select_related(
        "caller_id", "destination_user"
    )
    groups = groups.prefetch_related(
        Prefetch("members", queryset=RingGroupMember.objects.select_related("user"))
    )
    pool = MaskingPoolNumber.objects.filter(
        project_id=project_id,
        number__project_id=project_id,
        number__status=VirtualNumber.Status.ASSIGNED,
    ).values_list("number__number", "number_id")
    return {
        "version": SNAPSHOT_VERSION,
        "project_id": project.pk,
        "time_zone": project.time_zone,
        "fallback_message": prompts.pop("fallback"),
        "number_fallbacks": number_fallbacks,
        "voice": project.spoken_voice,
        "prompts": prompts,
        "numbers": numbers,
        "users": users,
        "rules": rules,
        **rule_indexes(rules, numbers),
        "menus": {str(menu.pk): menu.as_routing_json() for menu in menus},
        "groups": {str(group.pk): group.as_routing_json(set(users)) for group in groups},
        "masking_pool": dict(pool),
        "calendar": _calendar(project_id),
        "dial": dial_policy(project_id).as_json(),
        "external_calls_per_hour": project.external_calls_per_hour,
    }


def rule_indexes(rules: list[dict], numbers: list[str]) -> dict:
    """The dict indexes of `rules` (in priority order): called number → rules, called user →
    rules, and the rules tied to neither."""
    by_number: dict[str, list[int]] = {}
    by_user: dict[str, list[int]] = {}
    general: list[int] = []
    for index, rule in enumerate(rules):
        called = rule["called"]
        if called["kind"] == CalledKind.NUMBER:
            if called["number"] in numbers:  # a released number's rules no longer apply
                by_number.setdefault(called["number"], []).append(index)
        elif called["kind"] == CalledKind.USER:
            by_user.setdefault(called["user"], []).append(index)
        else:
            general.append(index)
    return {"by_number": by_number, "by_user": by_user, "general": general}


def _calendar(project_id: int) -> dict:
    hours: dict[str, list[list[str]]] = {}
    for window in OpeningHours.objects.filter(project_id=project_id).order_by("weekday", "opens"):
        hours.setdefault(str(window.weekday), []).append(window.as_window())
    holidays = (
        Holiday.objects.filter(project_id=project_id)
        .order_by("date")
        .values_list("date", flat=True)
    )
    return {"hours": hours, "holidays": [day.isoformat() for day in holidays]}
