"""Masked calls through a proxy number: connect the caller to the other participant, as the proxy
(pure).

The caller is identified as Stringee names it: a phone caller by number (E.164), an app caller
by its user id. `CallState.masking_binding` says whether that caller is bound on the proxy
number and to whom; strangers and ended sessions hear a message and are not connected.
"""

from django.utils.translation import gettext_noop

from portal.phone import stringee_digits
from routing import scco
from routing.engine.destinations import dialled
from routing.engine.types import Action, Call, CallState, Table
from routing.kinds import PartyKind

STRANGER_MESSAGE = gettext_noop(
    "Sorry, this number only connects the participants of an active session."
)
ENDED_MESSAGE = gettext_noop("Sorry, this session has ended. The number no longer connects you.")


def caller_identity(call: Call) -> tuple[str, str]:
    """(kind, address) of the caller: ("phone", E.164) or ("user", user id)."""
    if call.from_internal:
        return PartyKind.USER, call.user_id or call.from_raw
    return PartyKind.PHONE, call.from_number or call.from_raw


def masked_scco(
    table: Table, call: Call, state: CallState
) -> tuple[list[Action], str, bool] | None:
    """(SCCO, reason, connected) for a call to a masking proxy number; None for any other call."""
    proxy_id = table.masking_pool.get(call.to_number or "")
    if proxy_id is None:
        return None
    kind, address = caller_identity(call)
    binding = state.masking_binding(proxy_id, kind, address)
    if binding is None:
        return (
            [
                scco.talk(
                    table.prompt("masking_stranger", STRANGER_MESSAGE),
                    voice=table.voice,
                    barge_in=False,
                )
            ],
            f"masking: {address} is not a participant",
            False,
        )
    if not binding["open"]:
        return (
            [
                scco.talk(
                    table.prompt("masking_ended", ENDED_MESSAGE), voice=table.voice, barge_in=False
                )
            ],
            f"masking: session {binding['session']} has ended",
            False,
        )
    proxy = stringee_digits(call.to_number or call.to_raw)
    if call.from_internal:
        from_ = scco.endpoint("internal", proxy, proxy)
    else:
        from_ = scco.endpoint("external", call.from_wire, proxy)
    if binding["peer_kind"] == PartyKind.USER:
        to = scco.endpoint("internal", binding["peer_address"], proxy)
    else:
        digits = stringee_digits(binding["peer_address"])
        to = dialled(scco.endpoint("external", digits, digits), table, state)
    reason = f"masking: session {binding['session']} connects {address} to its other participant"
    return [scco.connect(from_, to)], reason, True
