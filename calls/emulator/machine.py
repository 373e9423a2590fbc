"""The call as a resumable state machine: Stringee's part of a call, action by action.

`Emulator.start` places the call (answer_url GET, `created` event) and plays the SCCO until the
call ends or needs something only a person can give: the keys a caller presses at an `input`,
or what a rung callee does at a `connect`. It then returns a `Run` whose `need` says which, and
whose `state` (plain JSON) holds the whole call; `Emulator.resume(state, keys=…)` or
`resume(state, outcome=…)` carries on from there. Given every key and outcome up front (or
`ask=False`), one `start` runs the call to its end.

Time is an emulated clock, not the wall clock: a `talk` lasts as long as its words take to say,
a callee rings `ring_seconds` before answering, an answered call talks `talk_seconds`. Event
timestamps are the call's start plus that clock, so the record's ring and talk times are the
emulated ones, and a run takes only as long as the portal takes to answer.
"""

from __future__ import annotations

import copy
import json
import math
import time
from collections.abc import Callable
from typing import Any

import httpx
from django.utils.translation import gettext as _

from calls.emulator import payloads
from calls.emulator.ids import new_test_call_id, new_uuid
from calls.emulator.types import FAILURE_CAUSES, STATE_VERSION, CallSetup, Outcome, Portal, Run
from calls.emulator.wire import Wire, with_query

State = dict[str, Any]
Action = dict[str, Any]

CHARACTERS_PER_SECOND = 15  # how fast a `talk` is said
AUDIO_SECONDS = 5  # a `play` / `stream` file's length (unknown to the emulator)
KEY_SECONDS = 2  # how long a caller takes to press keys
DEFAULT_INPUT_TIMEOUT = 5  # seconds an `input` waits when the SCCO gives none (contract §2.5)
DEFAULT_RING_TIMEOUT = 60  # seconds a `connect` rings when the SCCO gives none (contract §2.2)
BUSY_SECONDS = 2
UNREACHABLE_SECONDS = 1
CAUSE_HUNG_UP = "USER_END_CALL"
CAUSE_MAX_CONNECT = "MAX_CONNECT_TIME"
CAUSE_NO_SCCO = "CAN_NOT_MAKE_CALL"


class EmulatorError(ValueError):
    """A run cannot go on as asked (wrong answer to its need, a call already over, bad state)."""


class Emulator:
    """Stringee's part of calls to one portal (see the module docstring and docs/try-a-call.md).

    `transport`: an httpx transport (e.g. calls.emulator.project.in_process_transport()) to run
    against a portal in this process; None sends real HTTP to `portal.base_url`. `timeout`:
    seconds Stringee waits for each answer of the portal.
    """

    def __init__(
        self,
        portal: Portal,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 10.0,
    ):
        self.portal = portal
        self.transport = transport
        self.timeout = timeout

    # --- the public API --------------------------------------------------------------------

    def start(self, setup: CallSetup) -> Run:
        """Place the call and play it until it ends or needs keys or a callee's outcome."""
        state = self._new_state(setup)
        with self._wire() as wire:
            self._place(state, wire)
            self._advance(state, wire)
        return self._run(state)

    def resume(self, state: State, *, keys: str | None = None, outcome: str | None = None) -> Run:
        """Carry on a paused call: `keys` for a `keys` need ("" = none pressed), `outcome` (an
        Outcome value) for an `outcome` need."""
        state = copy.deepcopy(state)
        if state.get("version") != STATE_VERSION:
            raise EmulatorError(_("This call was saved by another version of the emulator."))
        if state["project_id"] != self.portal.project_id:
            raise EmulatorError(_("This call belongs to another project."))
        need = state.get("need")
        if state["ended"] or need is None:
            raise EmulatorError(_("This call has ended."))
        action = state.pop("current")
        state["need"] = None
        with self._wire() as wire:
            if need["kind"] == "keys":
                if keys is None:
                    raise EmulatorError(_("The call is waiting for keys."))
                self._press(state, wire, action, keys)
            else:
                if outcome not in set(Outcome):
                    raise EmulatorError(_("The call is waiting for what the callee does."))
                self._rung(state, wire, action, Outcome(str(outcome)))
            self._advance(state, wire)
        return self._run(state)

    def run(self, setup: CallSetup) -> Run:
        """The call played to its end: keys and outcomes as given, then none pressed and every
        callee answering."""
        setup = copy.copy(setup)
        setup.ask = False
        return self.start(setup)

    # --- the call ----------------------------------------------------------------------------

    def _new_state(self, setup: CallSetup) -> State:
        t0_ms = int(time.time() * 1000)
        number = payloads.wire_number
        app = bool(setup.app)
        return {
            "version": STATE_VERSION,
            "project_id": self.portal.project_id,
            "account_sid": self.portal.account_sid,
            "call": {
                "call_id": new_test_call_id(t0_ms),
                "uuid": "" if app else new_uuid(),
                "from": setup.from_.strip() if app else number(setup.from_),
                "to": number(setup.to) if payloads.looks_like_phone(setup.to) else setup.to.strip(),
                "app": app,
                "user_id": (setup.user_id or setup.from_).strip() if app else "",
                "custom": setup.custom,
            },
            "t0_ms": t0_ms,
            "clock_ms": 0,
            "serial": 0,
            "queue": [],
            "need": None,
            "current": None,
            "answered_ms": None,
            "recording": None,
            "keys": [str(keys) for keys in setup.keys],
            "outcomes": [str(Outcome(outcome)) for outcome in setup.outcomes],
            "ask": bool(setup.ask),
            "ring_seconds": max(0, int(setup.ring_seconds)),
            "talk_seconds": max(0, int(setup.talk_seconds)),
            "message_seconds": max(0, int(setup.message_seconds)),
            "steps": [],
            "ended": False,
        }

    def _wire(self) -> Wire:
        return Wire(self.portal, transport=self.transport, timeout=self.timeout)

    def _run(self, state: State) -> Run:
        return Run(
            call_id=state["call"]["call_id"],
            steps=copy.deepcopy(state["steps"]),
            need=copy.deepcopy(state["need"]),
            ended=state["ended"],
            state=state,
        )

    def _place(self, state: State, wire: Wire) -> None:
        """GET the answer_url, then report the call created; its SCCO becomes the queue."""
        call = state["call"]
        url = with_query(self.portal.answer_url, payloads.answer_query(state))
        exchange = wire.get(url)
        who = call["from"]
        self._step(
            state,
            "answer_url",
            _("%(caller)s calls %(called)s; Stringee asks the portal how to route the call.")
            % {"caller": who, "called": call["to"]},
            http=exchange,
        )
        scco = _scco(exchange)
        self._post_event(state, wire, payloads.event(state, "created", _first_callee(scco)))
        if scco is None:
            self._problem(state, exchange, _("The answer_url gave no SCCO: the call cannot go on."))
            self._end(state, wire, CAUSE_NO_SCCO)
            return
        state["queue"] = scco

    def _advance(self, state: State, wire: Wire) -> None:
        """Play the queue until the call ends or waits for a person."""
        while not state["ended"] and state["need"] is None:
            if not state["queue"]:
                self._step(state, "note", _("The SCCO has no more actions: Stringee hangs up."))
                self._end(
                    state,
                    wire,
                    CAUSE_HUNG_UP if state["answered_ms"] is not None else CAUSE_NO_SCCO,
                )
                return
            action = state["queue"].pop(0)
            handler = HANDLERS.get(str(action.get("action")) if isinstance(action, dict) else "")
            if handler is None:
                self._step(
                    state,
                    "problem",
                    _("Stringee does not know this action; it ends the call."),
                    action=action if isinstance(action, dict) else {"action": action},
                )
                self._end(state, wire, CAUSE_NO_SCCO)
                return
            handler(self, state, wire, action)

    # --- actions -----------------------------------------------------------------------------

    def _talk(self, state: State, wire: Wire, action: Action) -> None:
        self._answer_by_stringee(state, wire, action)
        loop = _whole(action.get("loop"), 1, low=1)
        kind = action["action"]
        if kind == "talk":
            text = str(action.get("text", ""))
            hears = text
            seconds = max(1, math.ceil(len(text) / CHARACTERS_PER_SECOND)) * loop
            says = _("The caller hears: %(text)s") % {"text": text}
        elif kind == "play":
            name = str(action.get("fileName") or action.get("url") or "")
            hears = _("(the audio file %(name)s)") % {"name": name}
            seconds = AUDIO_SECONDS * loop
            says = _("The caller hears the audio file %(name)s.") % {"name": name}
        else:
            name = str(action.get("fileName") or action.get("url") or "")
            hears = _("(audio from %(url)s)") % {"url": name}
            seconds = AUDIO_SECONDS * loop
            says = _("The caller hears audio streamed from %(url)s.") % {"url": name}
        self._step(state, "hear", says, hears=hears, action=action)
        state["clock_ms"] += seconds * 1000

    def _input(self, state: State, wire: Wire, action: Action) -> None:
        self._answer_by_stringee(state, wire, action)
        if state["keys"]:
            self._press(state, wire, action, state["keys"].pop(0))
        elif not state["ask"]:
            self._press(state, wire, action, "")
        else:
            state["current"] = action
            state["need"] = {
                "kind": "keys",
                "says": _("The caller is asked to press keys."),
                "heard": self._last_heard(state),
                "max_digits": _whole(action.get("maxDigits"), 0),
                "timeout": _whole(
                    action.get("timeout", action.get("timeOut")), DEFAULT_INPUT_TIMEOUT
                ),
                "submit_on_hash": _truthy(action.get("submitOnHash")),
            }

    def _press(self, state: State, wire: Wire, action: Action, keys: str) -> None:
        """The caller presses `keys` ("" = none, the input times out); Stringee posts them."""
        keys = _collected(keys, action)
        if keys:
            state["clock_ms"] += KEY_SECONDS * 1000
            says = _("The caller presses %(keys)s.") % {"keys": keys}
        else:
            timeout = _whole(action.get("timeout", action.get("timeOut")), DEFAULT_INPUT_TIMEOUT)
            state["clock_ms"] += timeout * 1000
            says = _("The caller presses nothing; the menu times out.")
        self._step(state, "keys", says, action=action, keys=keys)
        url = action.get("eventUrl")
        if not url:
            return
        exchange = wire.post(str(url), payloads.dtmf(state, action, keys))
        self._follow(state, exchange, _("Stringee sends the keys to the portal."))

    def _connect(self, state: State, wire: Wire, action: Action) -> None:
        target: dict[str, Any] = action["to"] if isinstance(action.get("to"), dict) else {}
        self._post_event(state, wire, payloads.event(state, "ringing", target))
        self._step(
            state,
            "ring",
            _("%(callee)s rings.") % {"callee": _party(target)},
            action=action,
            target=target,
        )
        if state["outcomes"]:
            self._rung(state, wire, action, Outcome(state["outcomes"].pop(0)))
        elif not state["ask"]:
            self._rung(state, wire, action, Outcome.ANSWERED)
        else:
            state["current"] = action
            state["need"] = {
                "kind": "outcome",
                "says": _("%(callee)s rings: does the call get answered?")
                % {"callee": _party(target)},
                "target": target,
                "timeout": _whole(action.get("timeout"), DEFAULT_RING_TIMEOUT),
                "choices": [str(outcome) for outcome in Outcome],
            }

    def _rung(self, state: State, wire: Wire, action: Action, outcome: Outcome) -> None:
        """The rung callee answers (the call talks, then ends) or does not (on-fail, or the end)."""
        target: dict[str, Any] = action["to"] if isinstance(action.get("to"), dict) else {}
        callee = _party(target)
        if outcome is Outcome.ANSWERED:
            state["clock_ms"] += state["ring_seconds"] * 1000
            self._step(
                state, "answered", _("%(callee)s answers.") % {"callee": callee}, action=action
            )
            if state["answered_ms"] is None:
                state["answered_ms"] = state["clock_ms"]
                self._post_event(state, wire, payloads.event(state, "answered", target))
            talk = state["talk_seconds"]
            limit = _whole(action.get("maxConnectTime"), -1)
            cause = CAUSE_HUNG_UP
            if 0 < limit < talk:
                talk, cause = limit, CAUSE_MAX_CONNECT
            state["clock_ms"] += talk * 1000
            self._step(
                state,
                "talk",
                _("The caller and %(callee)s talk for %(seconds)s seconds.")
                % {"callee": callee, "seconds": talk},
            )
            self._end(state, wire, cause)
            return
        seconds = {
            Outcome.BUSY: BUSY_SECONDS,
            Outcome.NO_ANSWER: _whole(action.get("timeout"), DEFAULT_RING_TIMEOUT),
            Outcome.UNREACHABLE: UNREACHABLE_SECONDS,
        }[outcome]
        state["clock_ms"] += seconds * 1000
        says = {
            Outcome.BUSY: _("%(callee)s is busy."),
            Outcome.NO_ANSWER: _("%(callee)s does not answer."),
            Outcome.UNREACHABLE: _("%(callee)s cannot be reached."),
        }[outcome] % {"callee": callee}
        cause = FAILURE_CAUSES[outcome]
        self._step(state, "failed", says, action=action, outcome=str(outcome), cause=cause)
        if not _truthy(action.get("continueOnFail")):
            self._end(state, wire, cause)
            return
        url = action.get("onFailEventUrl")
        if url:
            exchange = wire.post(str(url), payloads.connect_failed(state, action))
            self._follow(state, exchange, _("Stringee tells the portal the call was not taken."))

    def _record(self, state: State, wire: Wire, action: Action) -> None:
        state["recording"] = {
            "event_url": str(action.get("eventUrl") or ""),
            "format": str(action.get("format") or "mp3"),
            "from_ms": state["clock_ms"],
        }
        self._step(state, "record", _("Stringee records the call."), action=action)

    def _record_message(self, state: State, wire: Wire, action: Action) -> None:
        self._answer_by_stringee(state, wire, action)
        seconds = state["message_seconds"]
        limit_ms = _whole(action.get("timeout"), 0)
        if limit_ms and limit_ms / 1000 < seconds:
            seconds = math.ceil(limit_ms / 1000)
        beep = _("(beep)") if _truthy(action.get("beepStart")) else ""
        state["clock_ms"] += seconds * 1000
        self._step(
            state,
            "voicemail",
            _("The caller leaves a message of %(seconds)s seconds.") % {"seconds": seconds},
            hears=beep,
            action=action,
        )
        url = action.get("eventUrl")
        if url:
            fmt = str(action.get("format") or "mp3")
            link = payloads.recording_link(state, "message", fmt)
            exchange = wire.post(str(url), payloads.recording(state, link, seconds, fmt))
            self._step(
                state, "callback", _("Stringee sends the message's recording."), http=exchange
            )

    # --- the end -----------------------------------------------------------------------------

    def _end(self, state: State, wire: Wire, cause: str) -> None:
        """Hang up: the `ended` event, then the recording's callback and CDR if it was recorded."""
        side = "INTERNAL" if state["call"]["app"] else "EXTERNAL"
        body = payloads.ended(state, cause, side)
        self._step(
            state,
            "end",
            _("The call ends (%(cause)s) after %(seconds)s seconds.")
            % {"cause": cause, "seconds": body["duration"]},
            cause=cause,
            duration=body["duration"],
            answer_duration=body["answerDuration"],
        )
        self._post_event(state, wire, body)
        recording = state["recording"]
        if recording:
            link = payloads.recording_link(state, "call", recording["format"])
            seconds = (state["clock_ms"] - recording["from_ms"]) / 1000
            if recording["event_url"]:
                exchange = wire.post(
                    recording["event_url"],
                    payloads.recording(state, link, seconds, recording["format"]),
                )
                self._step(
                    state, "callback", _("Stringee sends the call's recording."), http=exchange
                )
            self._post_event(state, wire, payloads.cdr(state, link))
        state["ended"] = True
        state["need"] = None
        state["current"] = None
        state["queue"] = []

    # --- helpers -----------------------------------------------------------------------------

    def _answer_by_stringee(self, state: State, wire: Wire, action: Action) -> None:
        """Playing to or listening to the caller answers the call (`answerCall`, default true)."""
        if state["answered_ms"] is not None or action.get("answerCall") in (False, "false"):
            return
        state["answered_ms"] = state["clock_ms"]
        self._post_event(state, wire, payloads.event(state, "answered"))

    def _post_event(self, state: State, wire: Wire, body: dict[str, Any]) -> None:
        """POST to the event_url (once more if the portal did not take it, as Stringee retries)."""
        exchange = wire.post(self.portal.event_url, body)
        if exchange["status"] != 200:
            exchange = wire.post(self.portal.event_url, body)
        status = body.get("call_status") or "cdr"
        self._step(
            state,
            "event",
            _("Stringee reports the call %(status)s.") % {"status": status},
            http=exchange,
        )
        if exchange["status"] != 200:
            self._problem(state, exchange, _("The event_url did not take the event."))

    def _follow(self, state: State, exchange: dict[str, Any], says: str) -> None:
        """A callback's reply: its SCCO replaces the rest of the current one; no SCCO, the rest
        goes on."""
        self._step(state, "callback", says, http=exchange)
        scco = _scco(exchange)
        if scco is None:
            self._problem(state, exchange, _("The portal gave no SCCO back; the call goes on."))
            return
        state["queue"] = scco

    def _problem(self, state: State, exchange: dict[str, Any], says: str) -> None:
        why = exchange["error"] or _("HTTP status %(status)s") % {"status": exchange["status"]}
        self._step(state, "problem", f"{says} ({why})")

    def _hidden(self, action: Action | None) -> Action | None:
        """`action` with the secrets of `Portal.hide` (the webhook token) blanked out."""
        if action is None or not any(self.portal.hide):
            return action
        text = json.dumps(action)
        for secret in self.portal.hide:
            if secret:
                text = text.replace(secret, "<token>")
        return json.loads(text)

    def _last_heard(self, state: State) -> str:
        return next((s["hears"] for s in reversed(state["steps"]) if s.get("hears")), "")

    def _step(
        self,
        state: State,
        kind: str,
        says: str,
        *,
        hears: str = "",
        action: Action | None = None,
        http: dict[str, Any] | None = None,
        **data: Any,
    ) -> None:
        state["steps"].append(
            {
                "n": len(state["steps"]) + 1,
                "at": round(state["clock_ms"] / 1000, 1),
                "kind": kind,
                "says": says[:1].upper() + says[1:],  # "app user x rings." starts a sentence
                "hears": hears,
                "action": self._hidden(action),
                "http": http,
                "data": data,
            }
        )


HANDLERS: dict[str, Callable[[Emulator, State, Wire, Action], None]] = {
    "talk": Emulator._talk,
    "play": Emulator._talk,
    "stream": Emulator._talk,
    "input": Emulator._input,
    "connect": Emulator._connect,
    "record": Emulator._record,
    "recordMessage": Emulator._record_message,
}


def _scco(exchange: dict[str, Any]) -> list[Action] | None:
    """The SCCO of a 200 reply (a JSON list of action objects), else None."""
    reply = exchange.get("reply")
    if exchange.get("status") != 200 or not isinstance(reply, list):
        return None
    if not all(isinstance(action, dict) for action in reply):
        return None
    return reply


def _whole(value: Any, default: int, *, low: int | None = None) -> int:
    """An SCCO number (Stringee takes "15" as 15); `default` when absent or not a number."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return max(low, number) if low is not None else number


def _truthy(value: Any) -> bool:
    """An SCCO boolean (Stringee takes "true"/"false" strings too)."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _collected(keys: str, action: Action) -> str:
    """The keys Stringee collects: up to `#` when submitOnHash, at most maxDigits."""
    keys = "".join(key for key in str(keys) if key in "0123456789*#")
    if _truthy(action.get("submitOnHash")) and "#" in keys:
        keys = keys.split("#", 1)[0]
    limit = _whole(action.get("maxDigits"), 0)
    return keys[:limit] if limit > 0 else keys


def _first_callee(scco: list[Action] | None) -> dict[str, Any] | None:
    """Whom the call is put through to first, when its SCCO opens with a connect (after any
    `record`): Stringee's events name that callee as `to`, the dialled number as its alias."""
    for action in scco or []:
        if action.get("action") == "record":
            continue
        target = action.get("to")
        return target if action.get("action") == "connect" and isinstance(target, dict) else None
    return None


def _party(endpoint: dict[str, Any]) -> str:
    number = str(endpoint.get("number", "")) or "?"
    if endpoint.get("type") == "internal":
        return _("app user %(user)s") % {"user": number}
    return _("phone %(number)s") % {"number": number}
