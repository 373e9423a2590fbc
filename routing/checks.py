"""Refuse rules, menus and options whose SCCO would break the contract, naming the field at fault.

Each check builds the object's SCCO for a sample call with the real builders and runs
routing.scco's validator; `clean()` of the models calls these.
"""

from django.core.exceptions import ValidationError
from django.utils import timezone

from portal.models import Project
from portal.phone import stringee_digits
from routing import destinations, engine
from routing.destinations import Call, Context, Table
from routing.links import WebhookLinks
from routing.scco import scco_problems

SAMPLE_USER = "sample_user"
SAMPLE_CALLER = "84901234567"
SAMPLE_PHONE = "84909876543"
DESTINATION_FIELDS = {
    "user": "destination_user",
    "phone": "destination_number",
    "sip": "destination_sip",
    "menu": "destination_menu",
    "message": "message_text",
    "voicemail": "message_text",
    "group": "destination_group",
}
UNUSABLE = {
    "user": "Choose the app user: these calls are not made to one.",
    "phone": "Enter the phone number: these calls do not dial an outside number.",
    "sip": "Enter the SIP address.",
    "menu": "Choose an IVR menu of this project.",
    "group": "Choose a ring group of this project.",
}
MENU_FIELDS = {
    "text": "greeting_text",
    "voice": "greeting_voice",
    "file": "greeting_play_url",
    "timeout": "timeout",
}


def _sample_table(project: Project, users=(), numbers=(), menus=None, groups=None) -> Table:
    return Table(
        project_id=project.pk or 0,
        time_zone=project.time_zone,
        fallback_message=project.fallback_message,
        numbers=frozenset(n for n in numbers if n),
        users=frozenset({SAMPLE_USER, *(u for u in users if u)}),
        rules=(),
        by_number={},
        by_user={},
        general=(),
        menus=menus or {},
        groups=groups or {},
    )


def _menus(obj) -> dict:
    menu = obj.destination_menu if obj.destination_menu_id else None
    return {str(menu.pk): menu.as_routing_json()} if menu else {}


def _groups(obj) -> dict:
    """The targeted ring group as the snapshot would hold it (all its app users taken as active)."""
    group = obj.destination_group if obj.destination_group_id else None
    if group is None or group.pk is None:
        return {}
    users = {member.user.user_id for member in group.members.select_related("user") if member.user_id}
    return {str(group.pk): group.as_routing_json(users)}


def _raise_if_bad(built: list | None, kind: str, fields: dict | None = None) -> None:
    from routing.models import SCCO_FIELDS, scco_errors

    field = DESTINATION_FIELDS[kind]
    if built is None:
        raise ValidationError({field: UNUSABLE.get(kind, "This destination cannot serve these calls.")})
    problems = scco_problems(built)
    if problems:
        raise ValidationError(scco_errors(problems, field, {**SCCO_FIELDS, **(fields or {})}))


def check_rule_scco(rule) -> None:
    """Raise ValidationError (by field) if `rule` cannot build a valid SCCO for its own calls."""
    if rule.project_id is None:
        return
    data = {**rule.as_routing_json(), "id": rule.pk or 0}
    called = data["called"]
    if called["kind"] == "number" and called["number"]:
        to = stringee_digits(called["number"])
    elif called["kind"] == "user" and called["user"]:
        to = called["user"]
    elif called["kind"] == "any_user" or (rule.destination_kind == "user" and not rule.destination_user_id):
        to = SAMPLE_USER
    else:
        to = SAMPLE_PHONE
    internal = rule.direction != "phone"
    call = Call(SAMPLE_USER if internal else SAMPLE_CALLER, to, internal, timezone.now())
    table = _sample_table(
        rule.project,
        users=(called["user"], data["destination"]["user"]),
        numbers=(called["number"],),
        menus=_menus(rule),
        groups=_groups(rule),
    )
    links = WebhookLinks(rule.project)
    _raise_if_bad(engine.rule_scco(data, call, table, links), rule.destination_kind)
    if data["options"]["on_fail"]:
        options = {"caller_id": data["options"]["caller_id"]}
        on_fail = destinations.build(data["options"]["on_fail"], Context(call, table, links, options))
        if on_fail is None or scco_problems(on_fail):
            problems = "; ".join(scco_problems(on_fail)) if on_fail else "cannot be built"
            raise ValidationError({"on_fail_kind": f"The on-fail SCCO would be invalid: {problems}"})


def _ivr_call() -> Call:
    return Call(SAMPLE_CALLER, "hotline", False, timezone.now())


def check_menu_scco(menu) -> None:
    """The greeting + input, and the fallback, must be valid SCCOs."""
    if menu.project_id is None:
        return
    data = {**menu.as_routing_json(), "id": menu.pk or 0}
    table = _sample_table(
        menu.project, users=(data["fallback"]["user"],), menus=_menus(menu), groups=_groups(menu)
    )
    ctx = Context(_ivr_call(), table, WebhookLinks(menu.project))
    from routing.models import scco_errors

    problems = scco_problems(destinations.menu_scco(data, ctx, attempt=1))
    if problems:
        raise ValidationError(scco_errors(problems, "greeting_text", MENU_FIELDS))
    _raise_if_bad(destinations.build(data["fallback"], ctx), menu.destination_kind)


def check_option_scco(option) -> None:
    menu = getattr(option, "menu", None)
    if menu is None or menu.project_id is None:
        return
    project = menu.project
    data = option.destination_json()
    table = _sample_table(project, users=(data["user"],), menus=_menus(option), groups=_groups(option))
    ctx = Context(_ivr_call(), table, WebhookLinks(project))
    _raise_if_bad(destinations.build(data, ctx), option.destination_kind)
