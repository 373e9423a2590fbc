"""The bodies and queries Stringee sends, built from a call's state (contract §1.2, §2, §3).

Pure functions of the emulator's state dict: the answer_url query (app- or phone-originated),
the event_url posts (created, ringing, answered, ended, the CDR with its recording link), the
body an `input` posts to its eventUrl, the `connect_failed` body of an onFailEventUrl, and the
recording callback.
"""

from __future__ import annotations

from typing import Any

RECORDINGS_AT = "https://recordings.emulator.invalid/"  # .invalid: never a real host (RFC 6761)


def wire_number(value: str) -> str:
    """A phone number as Stringee writes it in queries and events: digits, no `+`."""
    return value.strip().removeprefix("+")


def looks_like_phone(value: str) -> bool:
    """Whether an app call's `to` is a phone number (8+ digits) rather than an app user id."""
    digits = wire_number(value)
    return digits.isdigit() and len(digits) >= 8


def answer_query(state: dict[str, Any]) -> dict[str, str]:
    """The answer_url's query: app calls carry userId, projectId, custom and callId; phone calls
    carry uuid (contract §1.2)."""
    call = state["call"]
    if call["app"]:
        return {
            "from": call["from"],
            "to": call["to"],
            "fromInternal": "true",
            "userId": call["user_id"],
            "projectId": str(state["project_id"]),
            "custom": call["custom"],
            "callId": call["call_id"],
        }
    return {"from": call["from"], "to": call["to"], "fromInternal": "false", "uuid": call["uuid"]}


def caller(state: dict[str, Any]) -> dict[str, str]:
    call = state["call"]
    kind = "internal" if call["app"] else "external"
    return {"type": kind, "number": call["from"], "alias": call["from"]}


def called(state: dict[str, Any]) -> dict[str, str]:
    call = state["call"]
    internal = call["app"] and not looks_like_phone(call["to"])
    return {
        "type": "internal" if internal else "external",
        "number": call["to"],
        "alias": call["to"],
    }


def _party(endpoint: dict[str, Any], online: bool) -> dict[str, Any]:
    return {
        "number": str(endpoint.get("number", "")),
        "alias": str(endpoint.get("alias") or endpoint.get("number", "")),
        "is_online": online,
        "type": str(endpoint.get("type", "external")),
    }


def event(state: dict[str, Any], status: str, to: dict[str, Any] | None = None) -> dict[str, Any]:
    """A call-state event for the event_url, stamped at the emulated clock's now."""
    call = state["call"]
    state["serial"] += 1
    body: dict[str, Any] = {
        "call_status": status,
        "project_id": state["project_id"],
        "request_from_user_id": call["user_id"] if call["app"] else "",
        "account_sid": state["account_sid"],
        "timestamp_ms": state["t0_ms"] + state["clock_ms"],
        "from": _party(caller(state), call["app"]),
        "to": _party(to or called(state), True),
        "type": "stringee_call",
        "call_id": call["call_id"],
        "clientCustomData": call["custom"] if call["app"] else "",
        "event_id": f"{call['call_id']}-{state['serial']}",
        "serial": state["serial"],
    }
    return body


def ended(state: dict[str, Any], cause: str, ended_by: str) -> dict[str, Any]:
    """The `ended` event: cause, who ended, duration and answered duration in seconds."""
    body = event(state, "ended")
    answered = state["answered_ms"]
    body.update(
        callCreatedReason="CLIENT_MAKE_CALL" if state["call"]["app"] else "EXTERNAL_CALL_IN",
        endCallCause=cause,
        endedBy=ended_by,
        callType="CALL",
        duration=round(state["clock_ms"] / 1000),
        answerDuration=0 if answered is None else round((state["clock_ms"] - answered) / 1000),
    )
    return body


def dtmf(state: dict[str, Any], action: dict[str, Any], keys: str) -> dict[str, Any]:
    """What an `input` posts to its eventUrl (`time` is a string of epoch ms; contract §2.5)."""
    return {
        "time": str(state["t0_ms"] + state["clock_ms"]),
        "dtmf": keys,
        "call_id": state["call"]["call_id"],
        "customField": str(action.get("customField") or ""),
        "timeout": keys == "",
    }


def connect_failed(state: dict[str, Any], action: dict[str, Any]) -> dict[str, Any]:
    """The onFailEventUrl body of a connect whose callee did not take the call (contract §2.2)."""
    return {
        "call_status": "connect_failed",
        "project_id": state["project_id"],
        "agent_status": "ended",
        "call_id": state["call"]["call_id"],
        "start_time": state["t0_ms"],
        "from": _endpoint(action.get("from")),
        "to": _endpoint(action.get("to")),
    }


def _endpoint(value: Any) -> dict[str, str]:
    value = value if isinstance(value, dict) else {}
    return {name: str(value.get(name, "")) for name in ("type", "number", "alias")}


def recording_link(state: dict[str, Any], kind: str, fmt: str) -> str:
    """Where the emulated recording would be downloaded (a host that never resolves)."""
    return f"{RECORDINGS_AT}{state['call']['call_id']}-{kind}.{fmt or 'mp3'}"


def recording(state: dict[str, Any], url: str, seconds: float, fmt: str) -> dict[str, Any]:
    """The recording callback (record / recordMessage eventUrl)."""
    return {
        "call_id": state["call"]["call_id"],
        "url": url,
        "duration": round(seconds, 1),
        "format": fmt or "mp3",
    }


def cdr(state: dict[str, Any], url: str) -> dict[str, Any]:
    """The CDR-like post with the recording link and no `call_status` (contract §2.3)."""
    return {
        "call_id": state["call"]["call_id"],
        "project_id": state["project_id"],
        "account_sid": state["account_sid"],
        "type": "stringee_call",
        "recording_url": url,
        "duration": round(state["clock_ms"] / 1000),
    }
