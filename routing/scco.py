"""Build and validate SCCOs (Stringee Call Control Objects): one builder per action, one validator.

Pure Python, no Django: the engine, the model validation and the tests all use these. Builders
leave out every optional field given as None, so an SCCO carries only what a rule chose, and
they emit proper JSON types (true, 15). `validate_scco` checks any SCCO against the contract
(shared/reference/stringee-contract.md, §0 and §2) and names each problem by its path, e.g.
`[0].to.type`. Stringee itself accepts booleans and numbers sent as strings ("false", "15"; its
own samples do), so the validator accepts them too unless asked for `strict_types`: an SCCO read
back from a tenant or a sample must not be refused for a quoting habit Stringee tolerates.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypedDict, Unpack

# Stringee knows only these two; a SIP trunk is reached by an endpoint's `sipTrunkId` (§0).
ENDPOINT_TYPES = ("internal", "external")
RECORD_FORMATS = ("mp3", "wav", "mp4")
MESSAGE_FORMATS = ("mp3", "wav")

Action = dict[str, Any]


class SccoError(ValueError):
    """An SCCO breaks the contract; `problems` lists each one with its path."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _compact(action: Action) -> Action:
    return {key: value for key, value in action.items() if value is not None}


def endpoint(
    type_: str, number: str, alias: str | None = None, *, sip_trunk_id: str | None = None
) -> dict[str, str]:
    """A connect endpoint; the alias (what the other side sees) defaults to the number.

    `sip_trunk_id` sends the call out through that SIP trunk of the Stringee account instead
    of the telephone network (the official softphone backend's shape: an `external` endpoint).
    """
    return _compact(
        {
            "type": type_,
            "number": number,
            "alias": number if alias is None else alias,
            "sipTrunkId": sip_trunk_id,
        }
    )


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
    event_url: list[str] | None = None,
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
            "eventUrl": None if event_url is None else list(event_url),
        }
    )


class Playback(TypedDict, total=False):
    """The options talk, play and stream share (Python names; `_playback` spells them for
    Stringee)."""

    barge_in: bool | None
    loop: int | None
    silence_time: int | None
    answer_call: bool | None
    continue_while_play: bool | None


_PLAYBACK_FIELDS = {
    "barge_in": "bargeIn",
    "loop": "loop",
    "silence_time": "silenceTime",
    "answer_call": "answerCall",
    "continue_while_play": "continueWhilePlay",
}


def _playback(options: Playback) -> Action:
    return {_PLAYBACK_FIELDS[name]: value for name, value in options.items()}


def talk(
    text: str, *, voice: str | None = None, speed: int | None = None, **options: Unpack[Playback]
) -> Action:
    return _compact(
        {"action": "talk", "text": text, "voice": voice, "speed": speed, **_playback(options)}
    )


def play(file_name: str, **options: Unpack[Playback]) -> Action:
    """Play `file_name`: the name of a file uploaded to Stringee, or an audio URL."""
    return _compact({"action": "play", "fileName": file_name, **_playback(options)})


def stream(file_name: str, **options: Unpack[Playback]) -> Action:
    """Stream the audio at URL `file_name` (mp3 or wav)."""
    return _compact({"action": "stream", "fileName": file_name, **_playback(options)})


def record(
    event_url: str, *, format: str | None = None, record_stereo: bool | None = None
) -> Action:
    return _compact(
        {"action": "record", "eventUrl": event_url, "format": format, "recordStereo": record_stereo}
    )


def record_message(
    event_url: str,
    *,
    beep_start: bool | None = None,
    timeout: int | None = None,
    format: str | None = None,
    end_on_key: str | None = None,
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
            "endOnKey": end_on_key,
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
    custom_field: str | None = None,
) -> Action:
    """Collect keys; Stringee POSTs them, with `customField` echoed back, to `event_url`."""
    return _compact(
        {
            "action": "input",
            "eventUrl": event_url,
            "maxDigits": max_digits,
            "timeout": timeout,
            "submitOnHash": submit_on_hash,
            "customField": custom_field,
        }
    )


# --- validation ------------------------------------------------------------------------------

# A check takes the value and whether string-typed booleans/numbers are refused; it returns
# what is wrong, or None.
Check = Callable[[Any, bool], str | None]


def _text(value: Any, strict: bool) -> str | None:
    return None if isinstance(value, str) and value.strip() else "must be a non-empty string"


def _is_url(value: Any) -> bool:
    return isinstance(value, str) and bool(re.match(r"^https?://[^\s/]+\S*$", value))


def _url(value: Any, strict: bool) -> str | None:
    return None if _is_url(value) else "must be an absolute http(s) URL"


def _url_or_empty(value: Any, strict: bool) -> str | None:
    return None if value == "" or _is_url(value) else "must be an absolute http(s) URL or empty"


def _url_list_or_empty(value: Any, strict: bool) -> str | None:
    """A connect's `eventUrl`: a list of URLs, or "" for none (Stringee's samples send "")."""
    ok = value == "" or (isinstance(value, list) and all(_is_url(item) for item in value))
    return None if ok else "must be a list of absolute http(s) URLs"


def _trunk_id(value: Any, strict: bool) -> str | None:
    """A trunk's id as text or a whole number; 0 and "" (no trunk) are what Stringee's softphone
    backend sends on an endpoint that uses none."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return None
    return None if isinstance(value, str) else "must be a SIP trunk id (text or a number)"


def uses_sip_trunk(endpoint_: dict) -> bool:
    """Whether a connect endpoint goes out through a SIP trunk: its `sipTrunkId` is given and is
    not 0 or "" (which Stringee reads as "no trunk")."""
    trunk = endpoint_.get("sipTrunkId")
    return trunk is not None and trunk not in (0, "", "0") and not isinstance(trunk, bool)


def _bool(value: Any, strict: bool) -> str | None:
    if isinstance(value, bool):
        return None
    if not strict and isinstance(value, str) and value.lower() in ("true", "false"):
        return None
    return "must be true or false"


_INTEGER_TEXT = re.compile(r"^-?\d{1,12}$")


def _int(low: int | None = None, high: int | None = None) -> Check:
    def check(value: Any, strict: bool) -> str | None:
        if isinstance(value, str) and not strict and _INTEGER_TEXT.match(value.strip()):
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            return "must be an integer"
        if (low is not None and value < low) or (high is not None and value > high):
            return (
                f"must be between {low} and {high}"
                if high is not None
                else f"must be at least {low}"
            )
        return None

    return check


def _one_of(*allowed: str) -> Check:
    def check(value: Any, strict: bool) -> str | None:
        return None if value in allowed else f"must be one of {', '.join(allowed)}"

    return check


def _str(value: Any, strict: bool) -> str | None:
    return None if isinstance(value, str) else "must be a string"


def _key(value: Any, strict: bool) -> str | None:
    ok = isinstance(value, str) and re.fullmatch(r"[0-9*#]", value)
    return None if ok else "must be one key: 0-9, * or #"


@dataclass(frozen=True)
class Field:
    check: Check | None = None  # None: the value is an endpoint object, checked field by field
    required: bool = False


_DIGITS = re.compile(r"^\d{3,15}$")
_TRUNK_NUMBER = re.compile(r"^\+?[0-9A-Za-z*#_.\-]{1,32}$")


def _endpoint_problems(value: Any, path: str, strict: bool) -> list[str]:
    if not isinstance(value, dict):
        return [f"{path}: must be an endpoint object {{type, number, alias}}"]
    problems = _field_problems(value, _ENDPOINT_FIELDS, path, strict)
    number = value.get("number")
    trunk = uses_sip_trunk(value)
    if value.get("type") == "external" and isinstance(number, str):
        if trunk:
            # A trunk's far end decides what it dials: extensions and short codes are fine.
            if not _TRUNK_NUMBER.match(number):
                problems.append(
                    f"{path}.number: must be what the SIP trunk dials (digits or extension)"
                )
        elif not _DIGITS.match(number):
            problems.append(f"{path}.number: an external number must be digits with country code")
    if trunk and value.get("type") != "external":
        problems.append(
            f"{path}.sipTrunkId: only an external endpoint goes out through a SIP trunk"
        )
    return problems


_ENDPOINT_FIELDS = {
    "type": Field(_one_of(*ENDPOINT_TYPES), required=True),
    "number": Field(_text, required=True),
    "alias": Field(_str),
    "sipTrunkId": Field(_trunk_id),
}

_LOOP = _int(1)
_PLAYBACK = {
    "bargeIn": Field(_bool),
    "loop": Field(_LOOP),
    "silenceTime": Field(_int(0)),
    "answerCall": Field(_bool),
    "continueWhilePlay": Field(_bool),
}
SCHEMA: dict[str, dict[str, Field]] = {
    "connect": {
        "from": Field(required=True),
        "to": Field(required=True),
        "customData": Field(_str),
        "timeout": Field(_int(1, 3600)),
        "maxConnectTime": Field(_int(-1)),
        "peerToPeerCall": Field(_bool),
        "continueOnFail": Field(_bool),
        "onFailEventUrl": Field(_url_or_empty),
        "eventUrl": Field(_url_list_or_empty),
    },
    "talk": {
        "text": Field(_text, required=True),
        "voice": Field(_text),
        "speed": Field(_int(-3, 3)),
        **_PLAYBACK,
    },
    # An uploaded file's name or a URL: Stringee resolves it, so any non-empty name is taken.
    "play": {"fileName": Field(_text, required=True), **_PLAYBACK},
    "stream": {"fileName": Field(_url, required=True), **_PLAYBACK},
    "record": {
        "eventUrl": Field(_url_or_empty),
        "format": Field(_one_of(*RECORD_FORMATS)),
        "recordStereo": Field(_bool),
    },
    "recordMessage": {
        "eventUrl": Field(_url, required=True),
        "format": Field(_one_of(*MESSAGE_FORMATS)),
        "endOnKey": Field(_key),
        "timeout": Field(_int(1)),
        "beepStart": Field(_bool),
        "silenceTimeout": Field(_int(0)),
        "silenceThresh": Field(_int(0, 100)),
    },
    "input": {
        "eventUrl": Field(_url, required=True),
        "timeout": Field(_int(1, 3600)),
        "timeOut": Field(_int(1, 3600)),  # the spelling of third-party types; read, never written
        "submitOnHash": Field(_bool),
        "maxDigits": Field(_int(1, 20)),
        "customField": Field(_str),
    },
}


def _field_problems(obj: dict, fields: dict[str, Field], path: str, strict: bool) -> list[str]:
    problems = []
    for name, spec in fields.items():
        if name not in obj:
            if spec.required:
                problems.append(f"{path}.{name}: is required")
            continue
        if spec.check is None:
            problems += _endpoint_problems(obj[name], f"{path}.{name}", strict)
        elif (wrong := spec.check(obj[name], strict)) is not None:
            problems.append(f"{path}.{name}: {wrong}")
    problems += [
        f"{path}.{name}: is not a field of this object" for name in obj if name not in fields
    ]
    return problems


def _action_problems(action: Any, path: str, strict: bool) -> list[str]:
    if not isinstance(action, dict):
        return [f"{path}: must be an action object"]
    name = action.get("action")
    if name not in SCHEMA:
        return [f"{path}.action: must be one of {', '.join(SCHEMA)}"]
    fields = {"action": Field(_str, required=True), **SCHEMA[name]}
    problems = _field_problems(action, fields, path, strict)
    if name == "input" and "timeout" in action and "timeOut" in action:
        problems.append(f"{path}.timeOut: give timeout or timeOut, not both")
    return problems


def _is_true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def scco_problems(scco: Any, *, strict_types: bool = False) -> list[str]:
    """Every way `scco` breaks the contract, each prefixed by its path; empty when valid.

    `strict_types` also refuses booleans and numbers written as strings, which Stringee
    accepts: use it on SCCOs the portal builds itself, not on ones it reads back.
    """
    if not isinstance(scco, list) or not scco:
        return ["SCCO: must be a non-empty list of actions"]
    problems = []
    for index, action in enumerate(scco):
        problems += _action_problems(action, f"[{index}]", strict_types)
    # A recorded call's media must pass through Stringee: a connect may not ask for peer to peer
    # (left out, it is false: Stringee's default, and what its samples rely on).
    recorded = any(isinstance(a, dict) and a.get("action") == "record" for a in scco)
    for index, action in enumerate(scco):
        if (
            recorded
            and isinstance(action, dict)
            and action.get("action") == "connect"
            and _is_true(action.get("peerToPeerCall"))
        ):
            problems.append(f"[{index}].peerToPeerCall: must be false when the call is recorded")
    return problems


def validate_scco(scco: Any, *, strict_types: bool = False) -> list:
    """Return `scco` unchanged if it follows the contract; raise SccoError listing problems."""
    problems = scco_problems(scco, strict_types=strict_types)
    if problems:
        raise SccoError(problems)
    return scco
