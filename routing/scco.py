"""Build and validate SCCOs (Stringee Call Control Objects): one builder per action, one validator.

Pure Python, no Django: the engine, the model validation and the tests all use these. Builders
leave out every optional field given as None, so an SCCO carries only what a rule chose.
`validate_scco` checks any SCCO against the contract (shared/reference/stringee-contract.md)
and names each problem by its path, e.g. `[0].to.type`.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

ENDPOINT_TYPES = ("internal", "external", "sip")
RECORD_FORMATS = ("mp3", "wav", "mp4")

Action = dict[str, Any]


class SccoError(ValueError):
    """An SCCO breaks the contract; `problems` lists each one with its path."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _compact(action: Action) -> Action:
    return {key: value for key, value in action.items() if value is not None}


def endpoint(type_: str, number: str, alias: str | None = None) -> dict[str, str]:
    """A connect endpoint; the alias (what the other side sees) defaults to the number."""
    return {"type": type_, "number": number, "alias": number if alias is None else alias}


def connect(
    from_: dict,
    to: dict,
    *,
    custom_data: str | None = None,
    timeout: int | None = None,
    max_connect_time: int | None = None,
    peer_to_peer_call: bool | None = None,
    continue_on_fail: bool | None = None,
    on_fail_event_url: str | None = None,
) -> Action:
    return _compact(
        {
            "action": "connect",
            "from": from_,
            "to": to,
            "customData": custom_data,
            "timeout": timeout,
            "maxConnectTime": max_connect_time,
            "peerToPeerCall": peer_to_peer_call,
            "continueOnFail": continue_on_fail,
            "onFailEventUrl": on_fail_event_url,
        }
    )


def talk(
    text: str,
    *,
    voice: str | None = None,
    speed: int | None = None,
    barge_in: bool | None = None,
    loop: int | None = None,
) -> Action:
    return _compact(
        {"action": "talk", "text": text, "voice": voice, "speed": speed, "bargeIn": barge_in, "loop": loop}
    )


def play(file: str, *, barge_in: bool | None = None, loop: int | None = None) -> Action:
    return _compact({"action": "play", "file": file, "bargeIn": barge_in, "loop": loop})


def stream(stream_url: str, *, barge_in: bool | None = None, loop: int | None = None) -> Action:
    return _compact({"action": "stream", "streamUrl": stream_url, "bargeIn": barge_in, "loop": loop})


def record(event_url: str, *, format: str | None = None, record_stereo: bool | None = None) -> Action:
    return _compact(
        {"action": "record", "eventUrl": event_url, "format": format, "recordStereo": record_stereo}
    )


def record_message(
    event_url: str,
    *,
    beep_start: bool | None = None,
    timeout: int | None = None,
    format: str | None = None,
    silence_thresh: int | None = None,
    silence_timeout: int | None = None,
) -> Action:
    return _compact(
        {
            "action": "recordMessage",
            "eventUrl": event_url,
            "beepStart": beep_start,
            "timeout": timeout,
            "format": format,
            "silenceThresh": silence_thresh,
            "silenceTimeout": silence_timeout,
        }
    )


def input_digits(
    event_url: str,
    *,
    max_digits: int | None = None,
    timeout: int | None = None,
    submit_on_hash: bool | None = None,
) -> Action:
    return _compact(
        {
            "action": "input",
            "eventUrl": event_url,
            "maxDigits": max_digits,
            "timeout": timeout,
            "submitOnHash": submit_on_hash,
        }
    )


# --- validation ------------------------------------------------------------------------------

Check = Callable[[Any], str | None]  # returns what is wrong, or None


def _text(value: Any) -> str | None:
    return None if isinstance(value, str) and value.strip() else "must be a non-empty string"


def _url(value: Any) -> str | None:
    ok = isinstance(value, str) and re.match(r"^https?://[^\s/]+\S*$", value)
    return None if ok else "must be an absolute http(s) URL"


def _bool(value: Any) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


def _int(low: int | None = None, high: int | None = None) -> Check:
    def check(value: Any) -> str | None:
        if not isinstance(value, int) or isinstance(value, bool):
            return "must be an integer"
        if (low is not None and value < low) or (high is not None and value > high):
            return f"must be between {low} and {high}" if high is not None else f"must be at least {low}"
        return None

    return check


def _one_of(*allowed: str) -> Check:
    def check(value: Any) -> str | None:
        return None if value in allowed else f"must be one of {', '.join(allowed)}"

    return check


def _str(value: Any) -> str | None:
    return None if isinstance(value, str) else "must be a string"


@dataclass(frozen=True)
class Field:
    check: Check | None = None  # None: the value is an endpoint object, checked field by field
    required: bool = False


_DIGITS = re.compile(r"^\d{3,15}$")


def _endpoint_problems(value: Any, path: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{path}: must be an endpoint object {{type, number, alias}}"]
    problems = _field_problems(value, _ENDPOINT_FIELDS, path)
    number = value.get("number")
    if value.get("type") == "external" and isinstance(number, str) and not _DIGITS.match(number):
        problems.append(f"{path}.number: an external number must be digits with country code")
    return problems


_ENDPOINT_FIELDS = {
    "type": Field(_one_of(*ENDPOINT_TYPES), required=True),
    "number": Field(_text, required=True),
    "alias": Field(_str),
}

_LOOP = _int(1)
SCHEMA: dict[str, dict[str, Field]] = {
    "connect": {
        "from": Field(required=True),
        "to": Field(required=True),
        "customData": Field(_str),
        "timeout": Field(_int(1, 3600)),
        "maxConnectTime": Field(_int(-1)),
        "peerToPeerCall": Field(_bool),
        "continueOnFail": Field(_bool),
        "onFailEventUrl": Field(_url),
    },
    "talk": {
        "text": Field(_text, required=True),
        "voice": Field(_text),
        "speed": Field(_int(-3, 3)),
        "bargeIn": Field(_bool),
        "loop": Field(_LOOP),
    },
    "play": {"file": Field(_url, required=True), "bargeIn": Field(_bool), "loop": Field(_LOOP)},
    "stream": {"streamUrl": Field(_url, required=True), "bargeIn": Field(_bool), "loop": Field(_LOOP)},
    "record": {
        "eventUrl": Field(_url, required=True),
        "format": Field(_one_of(*RECORD_FORMATS)),
        "recordStereo": Field(_bool),
    },
    "recordMessage": {
        "eventUrl": Field(_url, required=True),
        "beepStart": Field(_bool),
        "timeout": Field(_int(1)),
        "format": Field(_one_of(*RECORD_FORMATS)),
        "silenceThresh": Field(_int(0, 100)),
        "silenceTimeout": Field(_int(0)),
    },
    "input": {
        "eventUrl": Field(_url, required=True),
        "maxDigits": Field(_int(1, 20)),
        "timeout": Field(_int(1, 3600)),
        "submitOnHash": Field(_bool),
    },
}


def _field_problems(obj: dict, fields: dict[str, Field], path: str) -> list[str]:
    problems = []
    for name, spec in fields.items():
        if name not in obj:
            if spec.required:
                problems.append(f"{path}.{name}: is required")
            continue
        if spec.check is None:
            problems += _endpoint_problems(obj[name], f"{path}.{name}")
        elif (wrong := spec.check(obj[name])) is not None:
            problems.append(f"{path}.{name}: {wrong}")
    problems += [f"{path}.{name}: is not a field of this object" for name in obj if name not in fields]
    return problems


def _action_problems(action: Any, path: str) -> list[str]:
    if not isinstance(action, dict):
        return [f"{path}: must be an action object"]
    name = action.get("action")
    if name not in SCHEMA:
        return [f"{path}.action: must be one of {', '.join(SCHEMA)}"]
    fields = {"action": Field(_str, required=True), **SCHEMA[name]}
    return _field_problems(action, fields, path)


def scco_problems(scco: Any) -> list[str]:
    """Every way `scco` breaks the contract, each prefixed by its path; empty when valid."""
    if not isinstance(scco, list) or not scco:
        return ["SCCO: must be a non-empty list of actions"]
    problems = []
    for index, action in enumerate(scco):
        problems += _action_problems(action, f"[{index}]")
    recorded = any(isinstance(a, dict) and a.get("action") == "record" for a in scco)
    for index, action in enumerate(scco):
        relayed = isinstance(action, dict) and action.get("peerToPeerCall") is False
        if recorded and isinstance(action, dict) and action.get("action") == "connect" and not relayed:
            problems.append(f"[{index}].peerToPeerCall: must be false when the call is recorded")
    return problems


def validate_scco(scco: Any) -> list:
    """Return `scco` unchanged if it follows the contract; raise SccoError listing problems."""
    problems = scco_problems(scco)
    if problems:
        raise SccoError(problems)
    return scco
