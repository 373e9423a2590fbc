"""Writes of rules, IVR menus with their keys, ring groups with their members, and their
deletion."""

from collections.abc import Iterable, Sequence

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.text import capfirst

from portal import audit
from portal.errors import still_in_use
from portal.phone import E164Field
from portal.services.dialling import check_dialled_fields
from routing.models import (
    ConferenceRoom,
    IvrMenu,
    IvrOption,
    RingGroup,
    RingGroupMember,
    RoutingRule,
)
from routing.services.validation import check_menu_scco, check_option_scco, check_rule_scco


def check_phone_fields(obj: models.Model) -> None:
    """Phone numbers typed into `obj` must be phone numbers (the API's serializers take them
    as plain text; the database would refuse them only at the INSERT)."""
    problems: dict[str, list[str]] = {}
    for field in obj._meta.concrete_fields:
        value = getattr(obj, field.attname)
        if isinstance(field, E164Field) and value not in field.empty_values:
            try:
                setattr(obj, field.attname, field.to_python(value))
            except ValidationError as exc:
                problems[field.name] = exc.messages
    if problems:
        raise ValidationError(problems)


def _save(obj: models.Model) -> None:
    """Save after the unique constraints (a name already taken...) gave their field errors."""
    obj.validate_constraints()
    obj.save()


def row_problems(label: str, model: type[models.Model], exc: ValidationError) -> list[str]:
    """A nested row's errors as sentences naming the row and the field ("Key 1 — Destination …")."""
    lines = []
    for name, messages in exc.message_dict.items():
        field = (
            ""
            if name == NON_FIELD_ERRORS
            else f"{capfirst(str(model._meta.get_field(name).verbose_name))}: "  # type: ignore[union-attr]
        )
        lines += [f"{label} — {field}{message}" for message in messages]
    return lines


def _check_rows(
    field: str, rows: Sequence[tuple[str, models.Model]], parent: models.Model, check
) -> None:
    """Run `check(row, parent)` on each (label, row); every problem, named by its row, under
    `field`."""
    problems: list[str] = []
    for label, row in rows:
        try:
            check(row, parent)
        except ValidationError as exc:
            problems += row_problems(label, type(row), exc)
    if problems:
        raise ValidationError({field: problems})


def _replace_rows(related, rows: Sequence[models.Model]) -> None:
    """A parent's rows written whole: the old ones deleted, the new ones inserted in one
    statement."""
    related.all().delete()
    audit.log_created(related.model.objects.bulk_create(rows))


def rule_check(rule: RoutingRule) -> None:
    """Raise ValidationError if `rule` cannot be saved (its fields, where it sends calls, then
    the SCCO it would build)."""
    check_phone_fields(rule)
    rule.clean()
    check_dialled_fields(rule, rule.project_id)
    check_rule_scco(rule)


def rule_save(*, rule: RoutingRule) -> RoutingRule:
    rule_check(rule)
    _save(rule)
    return rule


def option_check(option: IvrOption, menu: IvrMenu) -> None:
    """One key of `menu` (uniqueness of the digit is the menu's business: keys are written
    whole)."""
    option.menu = menu
    check_phone_fields(option)
    option.clean()
    check_dialled_fields(option, menu.project_id)
    check_option_scco(option)


def menu_check(menu: IvrMenu, options: Iterable[dict] | None = None) -> None:
    """The menu's own fields and SCCO, then each key given (problems keyed `options` → row
    index)."""
    check_phone_fields(menu)
    menu.clean()
    check_dialled_fields(menu, menu.project_id)
    check_menu_scco(menu)
    if options is None:
        return
    digits = [row.get("digit") for row in options]
    repeated = sorted(
        {
            f"Key {digit}: each key may be used once per menu."
            for digit in digits
            if digits.count(digit) > 1
        }
    )
    if repeated:
        raise ValidationError({"options": repeated})
    _check_rows(
        "options",
        [(f"Key {row.get('digit')}", IvrOption(**row)) for row in options],
        menu,
        option_check,
    )


def menu_save(*, menu: IvrMenu, options: list[dict] | None = None) -> IvrMenu:
    """Save the menu; `options` (a list of key rows) replaces its keys, None keeps them."""
    # Checked before the transaction opens: a refusal leaves a caller's own transaction usable
    # (the admin renders the form's errors inside one).
    menu_check(menu, options)
    menu.validate_constraints()
    with transaction.atomic(savepoint=False), audit.batched():
        menu.save()
        if options is not None:
            _replace_rows(menu.options, [IvrOption(menu=menu, **values) for values in options])
    return menu


def option_save(*, option: IvrOption) -> IvrOption:
    option_check(option, option.menu)
    option.save()
    return option


def member_check(member: RingGroupMember, group: RingGroup) -> None:
    member.group = group
    check_phone_fields(member)
    member.clean()
    check_dialled_fields(member, group.project_id)


def group_check(group: RingGroup, members: Iterable[dict] | None = None) -> None:
    check_phone_fields(group)
    group.clean()
    check_dialled_fields(group, group.project_id)
    if members is None:
        return
    rows = [
        (f"Member {position}", RingGroupMember(**row))
        for position, row in enumerate(members, start=1)
    ]
    _check_rows("members", rows, group, member_check)


def group_save(*, group: RingGroup, members: list[dict] | None = None) -> RingGroup:
    """Save the group; `members` (in ring order) replaces its members, None keeps them."""
    group_check(group, members)  # before the transaction, as in menu_save
    group.validate_constraints()
    with transaction.atomic(savepoint=False), audit.batched():
        group.save()
        if members is not None:
            # Numbered 1, 2, 3… in ring order, whatever numbers the rows came with.
            rows = [
                RingGroupMember(group=group, **{**values, "position": at})
                for at, values in enumerate(members, start=1)
            ]
            _replace_rows(group.members, rows)
    return group


def config_delete(*, obj: models.Model) -> None:
    """Delete a rule, menu, key, group or member; portal.errors.StillInUse (409) names what
    still points at it."""
    try:
        with transaction.atomic():
            obj.delete()
    except (ProtectedError, RestrictedError) as exc:
        raise still_in_use(exc) from exc


def room_save(*, room: ConferenceRoom) -> ConferenceRoom:
    """Save a conference room; its name must be new in the project."""
    room.full_clean()
    room.save()
    return room
