"""Routing rules for the bench data, shaped after `routing.models.RoutingRule`, kept in one place.

Every bench project gets rules the bench's calls match first (a call to the project's first
number rings its first app user; app users call each other), then a realistic tail: more
numbers to users, a prefix forwarded to a phone, a weekend voicemail and a disabled rule.
Nothing is generated while the routing app has no RoutingRule.
"""

from collections.abc import Callable, Iterator

from django.db import connection, models
from django.utils import timezone

from bench.endpoints import optional_model
from bench.progress import progress
from portal.models import AppUser, VirtualNumber
from portal.tenancy.policy import notify_changed


def rule_model() -> type[models.Model] | None:
    """The routing app's RoutingRule model, or None while it does not exist."""
    return optional_model("routing", "RoutingRule")


def count_rules() -> int:
    model = rule_model()
    return model.objects.count() if model is not None else 0


def rule_specs(count: int, numbers: list[int], users: list[int]) -> list[dict]:
    """`count` rules (field → value) for a project whose number and app user ids are given."""
    specs = [
        {
            "name": "Hotline rings the first app user",
            "priority": 10,
            "direction": "phone",
            "called_kind": "number",
            "called_number": numbers[0],
            "destination_kind": "user",
            "destination_user": users[0],
        },
        {
            "name": "App users call each other",
            "priority": 20,
            "direction": "app",
            "called_kind": "any_user",
            "destination_kind": "user",
        },
    ]
    i = 0
    while len(specs) < count:
        variant, nth = i % 4, i // 4 + 1
        base = {"name": f"Bench rule {i}", "priority": 100 + i}
        if variant == 0 and nth < len(numbers):
            base.update(
                direction="phone",
                called_kind="number",
                called_number=numbers[nth],
                destination_kind="user",
                destination_user=users[nth % len(users)],
            )
        elif variant in (0, 1):
            base.update(
                direction="phone",
                called_kind="pattern",
                called_pattern=f"8428{i % 10}",
                destination_kind="phone",
                destination_number="+84909876543",
            )
        elif variant == 2:
            base.update(
                direction="phone",
                caller_pattern="^8491",
                schedule_days="67",
                destination_kind="voicemail",
            )
        else:
            base.update(enabled=False, destination_kind="message", message_text="We are closed.")
        specs.append(base)
        i += 1
    return specs[:count]


def _complete(model: type[models.Model], fields: list[models.Field], values: dict, now) -> tuple:
    """Values for every field of `fields`: given ones, else the model default (now for
    timestamps)."""
    row = []
    for field in fields:
        if field.name in values:
            row.append(values[field.name])
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            row.append(now)
        else:
            row.append(field.get_default())
    return tuple(row)


def _first_ids(
    model: type[models.Model], project_pks: list[int], order: str, limit: int
) -> dict[int, list[int]]:
    """Ids of up to `limit` rows per project, in `order`."""
    wanted = set(project_pks)
    found: dict[int, list[int]] = {}
    rows = (
        model.objects.filter(project_id__in=project_pks)
        .order_by(order)
        .values_list("project_id", "pk")
    )
    for project_id, pk in rows.iterator(chunk_size=20_000):
        ids = found.setdefault(project_id, [])
        if project_id in wanted and len(ids) < limit:
            ids.append(pk)
    return found


def add_rules(owners: list[tuple[int, int]], copy_rows: Callable) -> int:
    """Give each (project pk, count) of `owners` that many rules; return how many (0 if no
    model)."""
    model = rule_model()
    total = sum(count for _, count in owners)
    if model is None or total <= 0:
        return 0
    project_pks = [pk for pk, _ in owners]
    most = max(count for _, count in owners)
    numbers = _first_ids(VirtualNumber, project_pks, "number", most)
    users = _first_ids(AppUser, project_pks, "user_id", most)
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = connection.ops.adapt_datetimefield_value(timezone.now())

    def rows() -> Iterator[tuple]:
        for project_pk, count in owners:
            for spec in rule_specs(count, numbers[project_pk], users[project_pk]):
                yield _complete(model, fields, {"project": project_pk, **spec}, now)

    return copy_rows(model, [f.name for f in fields], rows(), total)


def compile_routing(project_pks: list[int]) -> None:
    """Tell the portal the projects' routing data changed, as saving them one by one would have."""
    for project_pk in progress(project_pks, len(project_pks), "routing"):
        notify_changed(project_pk)
