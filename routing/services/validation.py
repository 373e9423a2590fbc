"""Refuse rules, menus, keys and groups whose SCCO would break the contract, naming the field at
fault.

Each check builds the object's SCCO for a sample call with the real builders and runs
routing.scco's validator (the runtime guard of the answer_url, reused here). The services call
these before every write, so the admin and the API refuse the same things with the same words.
"""

import re

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.models import Project
from portal.phone import stringee_digits
from routing.engine import decide, destinations
from routing.engine.types import Call, Context, Table
from routing.kinds import CalledKind, DestinationKind, Direction
from routing.links import WebhookLinks
from routing.scco import scco_problems

SAMPLE_USER = "sample_user"
SAMPLE_CALLER = "84901234567"
SAMPLE_PHONE = "84909876543"
DESTINATION_FIELDS = {
    DestinationKind.USER: "destination_user",
    DestinationKind.PHONE: "destination_number",
    DestinationKind.SIP: "destination_sip_trunk",
    DestinationKind.MENU: "destination_menu",
    DestinationKind.MESSAGE: "message_text",
    DestinationKind.VOICEMAIL: "message_text",
    DestinationKind.GROUP: "destination_group",
}
UNUSABLE = {
    DestinationKind.USER: _("Choose the app user: these calls are not made to one."),
    DestinationKind.PHONE: _("Enter the phone number: these calls do not dial an outside number."),
    DestinationKind.SIP: _("Enter the SIP trunk id and the number it dials."),
    DestinationKind.MENU: _("Choose an IVR menu of this project."),
    DestinationKind.GROUP: _("Choose a ring group of this project."),
}
MENU_FIELDS = {
    "text": "greeting_text",
    "voice": "greeting_voice",
    "fileName": "greeting_audio",
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
    users = {
        member.user.user_id for member in group.members.select_related("user") if member.user_id
    }
    return {str(group.pk): group.as_routing_json(users)}


# SCCO field (last part of a validator path) → the model field that set it.
SCCO_FIELDS = {
    "customData": "custom_data",
    "timeout": "timeout",
    "maxConnectTime": "max_connect_time",
    "peerToPeerCall": "peer_to_peer_call",
    "format": "record_format",
    "text": "message_text",
    "voice": "message_voice",
    "fileName": "message_audio",
}
# What a staff user reads for a validator problem on an SCCO field (by the field's last key).
PLAIN_WORDS = {
    "number": _("Enter a phone number with country code, e.g. 84901234567."),
    "customData": _("Custom data must be text of at most 1,000 characters."),
    "timeout": _("Enter a whole number of seconds, at least 1."),
    "maxConnectTime": _("Enter a whole number of seconds, or -1 for no limit."),
    "text": _("Enter the text to speak."),
    "fileName": _(
        "Enter the name of a file uploaded to Stringee, or an http(s) link to an audio file."
    ),
    "format": _("Choose mp3, wav or mp4."),
    "peerToPeerCall": _(
        "Turn peer-to-peer off for recorded calls: Stringee records only calls it relays."
    ),
}


def plain_problem(problem: str) -> str:
    """A validator problem (`[1].to.number: must be digits...`) in words a staff user reads."""
    path, _, rule = problem.partition(":")
    keys = re.findall(r"\.(\w+)", path) or [path.strip()]
    plain = PLAIN_WORDS.get(keys[-1])
    return str(plain) if plain else f"{capfirst(rule.strip())}."


def scco_errors(
    problems: list[str], destination_field: str, fields: dict[str, str] = SCCO_FIELDS
) -> dict[str, list[str]]:
    """Validator problems keyed by the model field that caused each one, in plain words."""
    errors: dict[str, list[str]] = {}
    for problem in problems:
        path = problem.split(":", 1)[0]
        keys = re.findall(r"\.(\w+)", path)
        name = next((fields[key] for key in reversed(keys) if key in fields), None)
        if name is None:
            name = destination_field if {"to", "from"} & set(keys) else NON_FIELD_ERRORS
        errors.setdefault(name, []).append(plain_problem(problem))
    return errors


def _raise_if_bad(built: list | None, kind: DestinationKind, fields: dict | None = None) -> None:
    field = DESTINATION_FIELDS[kind]
    if built is None:
        raise ValidationError(
            {field: UNUSABLE.get(kind, _("This destination cannot serve these calls."))}
        )
    problems = scco_problems(built, strict_types=True)
    if problems:
        raise ValidationError(scco_errors(problems, field, {**SCCO_FIELDS, **(fields or {})}))


def check_rule_scco(rule) -> None:
    """Raise ValidationError (by field) if `rule` cannot build a valid SCCO for its own calls."""
    if rule.project_id is None:
        return
    data = {**rule.as_routing_json(), "id": rule.pk or 0}
    called = data["called"]
    if called["kind"] == CalledKind.NUMBER and called["number"]:
        to = stringee_digits(called["number"])
    elif called["kind"] == CalledKind.USER and called["user"]:
        to = called["user"]
    elif called["kind"] == CalledKind.ANY_USER or (
        rule.destination_kind == DestinationKind.USER and not rule.destination_user_id
    ):
        to = SAMPLE_USER
    else:
        to = SAMPLE_PHONE
    internal = rule.direction != Direction.PHONE
    call = Call(SAMPLE_USER if internal else SAMPLE_CALLER, to, internal, timezone.now())
    table = _sample_table(
        rule.project,
        users=(called["user"], data["destination"]["user"]),
        numbers=(called["number"],),
        menus=_menus(rule),
        groups=_groups(rule),
    )
    links = WebhookLinks(rule.project)
    _raise_if_bad(decide.rule_scco(data, call, table, links), rule.destination_kind)
    if data["options"]["on_fail"]:
        options = {"caller_id": data["options"]["caller_id"]}
        on_fail = destinations.build(
            data["options"]["on_fail"], Context(call, table, links, options)
        )
        if on_fail is None or scco_problems(on_fail, strict_types=True):
            words = (
                "; ".join(plain_problem(p) for p in scco_problems(on_fail, strict_types=True))
                if on_fail
                else ""
            )
            refusal = gettext("This on-fail step cannot be carried out.")
            raise ValidationError({"on_fail_kind": f"{refusal} {words}".strip()})


def _ivr_call() -> Call:
    return Call(SAMPLE_CALLER, "hotline", False, timezone.now())


def check_menu_scco(menu) -> None:
    """The greeting + input, and the fallback, must be valid SCCOs."""
    if menu.project_id is None:
        return
    data = {**menu.as_routing_json(), "id": menu.pk or 0}
    table = _sample_table(
        menu.project, users=(data["final"]["user"],), menus=_menus(menu), groups=_groups(menu)
    )
    ctx = Context(_ivr_call(), table, WebhookLinks(menu.project))
    problems = scco_problems(destinations.menu_scco(data, ctx, attempt=1), strict_types=True)
    if problems:
        raise ValidationError(scco_errors(problems, "greeting_text", MENU_FIELDS))
    _raise_if_bad(destinations.build(data["final"], ctx), menu.destination_kind)


def check_option_scco(option) -> None:
    menu = getattr(option, "menu", None)
    if menu is None or menu.project_id is None:
        return
    project = menu.project
    data = option.destination_json()
    table = _sample_table(
        project, users=(data["user"],), menus=_menus(option), groups=_groups(option)
    )
    ctx = Context(_ivr_call(), table, WebhookLinks(project))
    _raise_if_bad(destinations.build(data, ctx), option.destination_kind)
