"""What staff are warned about before it costs a call: rules that can never be reached (an earlier
rule catches every call they would, routing.engine.reach) and menus or ring groups that no rule,
key or final step sends calls to. Read from the database, for the admin's lists and saves."""

from __future__ import annotations

from collections.abc import Iterable

from routing.engine.reach import never_reached
from routing.kinds import DestinationKind
from routing.models import IvrMenu, IvrOption, RingGroup, RoutingRule


def rules_never_reached(project_ids: Iterable[int]) -> dict[int, RoutingRule]:
    """{rule id: the earlier rule that catches every call it would}, for the enabled rules of
    `project_ids`, in the order the engine tries them (one query)."""
    rules = (
        RoutingRule.objects.filter(project_id__in=set(project_ids), enabled=True)
        .select_related("called_number", "called_user")
        .order_by("project_id", "priority", "id")
    )
    by_project: dict[int, list[RoutingRule]] = {}
    for rule in rules:
        by_project.setdefault(rule.project_id, []).append(rule)
    found = {}
    for project_rules in by_project.values():
        by_id = {rule.pk: rule for rule in project_rules}
        shapes = [{"id": rule.pk, **rule.conditions_json()} for rule in project_rules]
        for rule_id, earlier in never_reached(shapes).items():
            found[rule_id] = by_id[earlier["id"]]
    return found


def used(kind: str, project_ids: Iterable[int]) -> set[int]:
    """Ids of the menus (`kind` "menu") or ring groups ("group") of `project_ids` that a rule, an
    IVR key or a final step sends calls to (one query)."""
    column = "destination_menu" if kind == DestinationKind.MENU else "destination_group"
    wanted = {"destination_kind": kind, f"{column}__project_id__in": set(project_ids)}
    sources = [
        model.objects.filter(**wanted).order_by().values_list(f"{column}_id", flat=True)
        for model in (RoutingRule, IvrOption, IvrMenu, RingGroup)
    ]
    return set(sources[0].union(*sources[1:]))
