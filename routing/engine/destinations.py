"""Where a routed call goes: one small builder per destination kind, each returning SCCO actions.

A builder takes the destination (a dict from the routing snapshot) and a `Context` (the call,
the tenant's table, the rule's options, the webhook links) and returns the SCCO, or None when
the destination cannot serve this call (e.g. "the dialled number" on a call to an app user),
in which case the engine tries the next rule. Register a new kind with `@builder("kind")`.
"""

from collections.abc import Callable

from django.utils.translation import gettext_noop

from portal.dialling import DestinationRefused
from portal.phone import stringee_digits
from routing import scco
from routing.engine.types import Action, Call, CallState, Context, Table
from routing.kinds import DestinationKind

VOICEMAIL_PROMPT = gettext_noop("Please leave a message after the tone.")
INVALID_CHOICE_MESSAGE = gettext_noop("Sorry, that is not a valid choice.")


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


def dialled(to: dict, table: Table, state: CallState) -> dict:
    """`to`, if the project's calls may be sent there now: a phone number (not a SIP trunk's
    extension, which is the tenant's own line) must be where its policy allows, and within its
    hourly ceiling of calls to phone numbers. Else DestinationRefused: the caller hears the
    project's fallback and the refusal is in the routing error log."""
    if to.get("type") != "external" or scco.uses_sip_trunk(to):
        return to
    reason = table.dial.refusal("+" + str(to.get("number", "")).lstrip("+"))
    if reason is not None:
        raise DestinationRefused(reason)
    if not state.external_call_allowed(table.project_id, table.external_calls_per_hour):
        raise DestinationRefused(
            f"the project's ceiling of {table.external_calls_per_hour} calls to phone numbers an "
            "hour was reached"
        )
    return to


def connect_to(to: dict, ctx: Context, outbound: bool) -> list[Action]:
    """Connect the caller to `to` with the rule's options (record, timeouts, caller ID...)."""
    to = dialled(to, ctx.table, ctx.state)
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
