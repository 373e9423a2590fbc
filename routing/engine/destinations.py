"""Where a routed call goes: one small builder per destination kind, each returning SCCO actions.

A builder takes the destination (a dict from the routing snapshot) and a `Context` (the call,
the tenant's table, the rule's options, the webhook links) and returns the SCCO, or None when
the destination cannot serve this call (e.g. "the dialled number" on a call to an app user),
in which case the engine tries the next rule. Register a new kind with `@builder("kind")`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any, Protocol
from urllib.parse import urlencode

from django.utils.translation import gettext_noop

from portal.phone import normalize_or_none, stringee_digits
from routing import scco
from routing.kinds import DestinationKind

Action = dict[str, Any]
VOICEMAIL_PROMPT = gettext_noop("Please leave a message after the tone.")
INVALID_CHOICE_MESSAGE = gettext_noop("Sorry, that is not a valid choice.")


@dataclass(frozen=True)
class Call:
    """One answer_url request, as Stringee sent it (numbers still in Stringee's form)."""

    from_raw: str
    to_raw: str
    from_internal: bool
    at: datetime
    user_id: str = ""
    project_id: str = ""
    custom: str = ""
    call_id: str = ""

    def query(self, **extra) -> str:
        """The call as a query string (`extra` first): what the portal's callbacks carry back."""
        params = {
            **extra,
            "from": self.from_raw,
            "to": self.to_raw,
            "fromInternal": "true" if self.from_internal else "false",
        }
        if self.call_id:
            params["callId"] = self.call_id
        return urlencode(params)

    @cached_property
    def from_number(self) -> str | None:
        return normalize_or_none(self.from_raw)

    @cached_property
    def to_number(self) -> str | None:
        return normalize_or_none(self.to_raw)

    @property
    def from_wire(self) -> str:
        """The caller as an SCCO carries it: digits for a phone number, else the user id."""
        return stringee_digits(self.from_number) if self.from_number else self.from_raw

    @property
    def to_wire(self) -> str:
        return stringee_digits(self.to_number) if self.to_number else self.to_raw


class Links(Protocol):
    """Absolute webhook URLs that SCCOs point back to (made by the views, faked in tests)."""

    def ivr(self, menu_id: int, call: Call, attempt: int) -> str: ...

    def on_fail(self, rule_id: int, call: Call) -> str: ...

    def recording(self, call: Call) -> str: ...

    def ring(self, group_id: int, call: Call, tried: int, start: int) -> str: ...


class CallState(Protocol):
    """What routing reads or moves outside the table: masking sessions, round-robin pointers.

    The answer_url uses routing.state.LiveState; "simulate" uses a read-only one.
    """

    def masking_binding(self, proxy_id: int, kind: str, address: str) -> dict | None: ...

    def round_robin_start(self, group_id: int, size: int) -> int: ...


class NoState:
    """No sessions and pointers at 0: for pure tests and sample SCCOs in model validation."""

    def masking_binding(self, proxy_id: int, kind: str, address: str) -> dict | None:
        return None

    def round_robin_start(self, group_id: int, size: int) -> int:
        return 0


@dataclass(frozen=True)
class Table:
    """A project's compiled routing data (see routing.snapshot), looked up by dicts."""

    project_id: int
    time_zone: str
    fallback_message: str
    numbers: frozenset[str]  # the project's assigned numbers, E.164
    users: frozenset[str]  # active app users' ids
    rules: tuple[dict, ...]  # enabled rules in priority order
    by_number: dict[str, list[int]]  # called E.164 → indexes into rules
    by_user: dict[str, list[int]]  # called user id → indexes into rules
    general: tuple[int, ...]  # rules not tied to one number or user
    menus: dict[str, dict] = field(default_factory=dict)
    groups: dict[str, dict] = field(default_factory=dict)  # ring groups by id
    masking_pool: dict[str, int] = field(default_factory=dict)  # proxy E.164 → VirtualNumber id
    calendar: dict = field(
        default_factory=dict
    )  # {"hours": {weekday: [[opens, closes]]}, "holidays": [...]}
    # called E.164 → {"text", "audio"}: what callers of that number hear when no rule applies
    number_fallbacks: dict[str, dict] = field(default_factory=dict)
    voice: str | None = None  # the project's caller voice; None: Stringee's default
    prompts: dict[str, str] = field(default_factory=dict)  # system messages, caller language

    def prompt(self, key: str, english: str) -> str:
        """The system message `key` in the project's caller language (`english` if unknown)."""
        return self.prompts.get(key, english)

    @classmethod
    def from_json(cls, data: dict) -> "Table":
        return cls(
            project_id=data["project_id"],
            time_zone=data["time_zone"],
            fallback_message=data["fallback_message"],
            numbers=frozenset(data["numbers"]),
            users=frozenset(data["users"]),
            rules=tuple(data["rules"]),
            by_number=data["by_number"],
            by_user=data["by_user"],
            general=tuple(data["general"]),
            menus=data["menus"],
            groups=data.get("groups", {}),
            masking_pool=data.get("masking_pool", {}),
            calendar=data.get("calendar", {}),
            number_fallbacks=data.get("number_fallbacks", {}),
            voice=data.get("voice"),
            prompts=data.get("prompts", {}),
        )


@dataclass(frozen=True)
class Context:
    call: Call
    table: Table
    links: Links
    options: dict = field(default_factory=dict)  # the rule's connect options (none in IVR)
    state: CallState = field(default_factory=NoState)


Builder = Callable[[dict, Context], list[Action] | None]
BUILDERS: dict[str, Builder] = {}


def builder(kind: str) -> Callable[[Builder], Builder]:
    def register(function: Builder) -> Builder:
        BUILDERS[kind] = function
        return function

    return register


def build(destination: dict, ctx: Context) -> list[Action] | None:
    """The SCCO sending `ctx.call` to `destination`, or None if it cannot serve this call."""
    return BUILDERS[destination["kind"]](destination, ctx)


def fallback_scco(message: str, voice: str | None = None) -> list[Action]:
    return [scco.talk(message, voice=voice)]


def table_fallback(table: Table) -> list[Action]:
    """The project's fallback message, in its caller language and voice."""
    return fallback_scco(table.fallback_message, voice=table.voice)


def number_fallback_scco(fallback: dict, table: Table) -> list[Action]:
    """A number's own "no rule applies" message: its audio, else its text."""
    if fallback.get("audio"):
        return [scco.play(file_name=fallback["audio"])]
    return fallback_scco(fallback.get("text") or table.fallback_message, voice=table.voice)


def caller_endpoint(call: Call, caller_id: str | None = None) -> dict:
    """`from` of a connect; `caller_id` (digits) is what the called party sees, if given."""
    if call.from_internal:
        number = caller_id or call.from_wire
        return scco.endpoint("internal", number, number)
    return scco.endpoint("external", call.from_wire, caller_id or call.from_wire)


def connect_to(to: dict, ctx: Context, outbound: bool) -> list[Action]:
    """Connect the caller to `to` with the rule's options (record, timeouts, caller ID...)."""
    options = ctx.options
    caller_id = options.get("caller_id") if outbound else None
    record = bool(options.get("record"))
    peer_to_peer = options.get("peer_to_peer_call")
    if record and peer_to_peer is None:
        peer_to_peer = False  # Stringee records only media it relays
    on_fail = bool(options.get("on_fail")) and options.get("rule_id") is not None
    action = scco.connect(
        caller_endpoint(ctx.call, caller_id),
        to,
        custom_data=options.get("custom_data") or None,
        timeout=options.get("timeout"),
        max_connect_time=options.get("max_connect_time"),
        peer_to_peer_call=peer_to_peer,
        continue_on_fail=True if on_fail else None,
        on_fail_event_url=ctx.links.on_fail(options["rule_id"], ctx.call) if on_fail else None,
    )
    if record:
        return [
            scco.record(ctx.links.recording(ctx.call), format=options.get("record_format") or None),
            action,
        ]
    return [action]


@builder(DestinationKind.USER)
def to_app_user(destination: dict, ctx: Context) -> list[Action] | None:
    """An app user: the named one, or (none named) the app user the call was made to."""
    user_id = destination.get("user") or ctx.call.to_raw
    if user_id not in ctx.table.users:
        return None
    return connect_to(scco.endpoint("internal", user_id, ctx.call.to_wire), ctx, outbound=False)


@builder(DestinationKind.PHONE)
def to_phone(destination: dict, ctx: Context) -> list[Action] | None:
    """An outside phone: the named number, or (none named) the number the caller dialled."""
    number = destination.get("number") or ctx.call.to_number
    if not number or (number in ctx.table.numbers and not destination.get("number")):
        return None  # dialling one of our own numbers from the app is not an outside call
    digits = stringee_digits(number)
    return connect_to(scco.endpoint("external", digits, digits), ctx, outbound=True)


@builder(DestinationKind.SIP)
def to_sip(destination: dict, ctx: Context) -> list[Action] | None:
    """A number reached through one of the account's SIP trunks (Stringee has no `sip` endpoint).

    Without a trunk id the destination cannot be dialled, so the rule is passed over.
    """
    number, trunk = destination.get("sip"), destination.get("trunk")
    if not number or not trunk:
        return None
    return connect_to(
        scco.endpoint("external", number, number, sip_trunk_id=trunk), ctx, outbound=True
    )


@builder(DestinationKind.MENU)
def to_menu(destination: dict, ctx: Context) -> list[Action] | None:
    menu = ctx.table.menus.get(str(destination.get("menu")))
    return None if menu is None else menu_scco(menu, ctx, attempt=1)


@builder(DestinationKind.MESSAGE)
def to_message(destination: dict, ctx: Context) -> list[Action]:
    """Say or play something, then hang up (no text → the project's fallback message)."""
    if destination.get("audio"):
        return [scco.play(file_name=destination["audio"], barge_in=False)]
    text = destination.get("text") or ctx.table.fallback_message
    return [scco.talk(text, voice=destination.get("voice") or ctx.table.voice, barge_in=False)]


@builder(DestinationKind.VOICEMAIL)
def to_voicemail(destination: dict, ctx: Context) -> list[Action]:
    """A prompt, then the caller's message is recorded and sent to the recording callback."""
    prompt = destination.get("text") or ctx.table.prompt("voicemail", VOICEMAIL_PROMPT)
    return [
        scco.talk(prompt, voice=ctx.table.voice, barge_in=False),
        scco.record_message(ctx.links.recording(ctx.call), beep_start=True),
    ]


def menu_scco(menu: dict, ctx: Context, attempt: int) -> list[Action]:
    """The greeting (interruptible by a key) and an `input` whose answer comes back to the
    portal."""
    if menu.get("audio"):
        greeting = scco.play(file_name=menu["audio"], barge_in=True)
    else:
        voice = menu.get("voice") or ctx.table.voice
        greeting = scco.talk(menu["text"], voice=voice, barge_in=True)
    collect = scco.input_digits(
        ctx.links.ivr(menu["id"], ctx.call, attempt),
        max_digits=1,
        timeout=menu["timeout"],
        submit_on_hash=False,
        custom_field=ctx.call.query(menu=menu["id"], attempt=attempt),  # echoed back with the keys
    )
    return [greeting, collect]
