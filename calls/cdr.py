"""The call record state machine: derive a CDR's fields from the set of a call's events.

The record is a function of the *set* of events, never of their arrival order, so retries,
late and shuffled deliveries all give the same record. Rules (contract §3):

- started: the earliest event; answered: the earliest `answered` event, or — when Stringee
  sent none — `ended` minus `answerDuration` if that is > 0; ended: the earliest `ended`.
- status while no `ended` arrived: `answered` once answered, else `in_progress`.
- status once ended: `answered` if answered (event or answerDuration > 0); else by the SIP
  code leading `endCallCause`: 486/600 busy, 408/480 (or a ring timeout) no_answer,
  487 cancelled, anything else failed.
"""

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from portal.phone import normalize_or_none

ANSWERED, ENDED = "answered", "ended"
# The most ring or talk seconds a record holds (its integer column's range, 68 years): events
# timestamped decades apart are out-of-contract data, kept whole in the events themselves.
MAX_SECONDS = 2_147_483_647
BUSY_CODES = {"486", "600"}
NO_ANSWER_CODES = {"408", "480"}
CANCELLED_CODES = {"487"}
_LEADING_CODE = re.compile(r"^\s*(\d{3})\b")


@dataclass(frozen=True)
class Event:
    """What the state machine reads of one stored event."""

    status: str
    timestamp_ms: int
    payload: dict


def moment(timestamp_ms: int) -> datetime:
    return datetime.fromtimestamp(timestamp_ms / 1000, tz=UTC)


def _number(value) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def final_status(answered: bool, end_cause: str) -> str:
    """The status of an ended call (values of CallRecord.Status)."""
    if answered:
        return "answered"
    match = _LEADING_CODE.match(end_cause or "")
    code = match.group(1) if match else ""
    if code in BUSY_CODES:
        return "busy"
    if code in NO_ANSWER_CODES or "timeout" in (end_cause or "").lower():
        return "no_answer"
    if code in CANCELLED_CODES:
        return "cancelled"
    return "failed"


def parties(payload: dict) -> dict:
    """From/to numbers (E.164), user ids and the direction one event's payload reveals."""
    out = {}
    sides = {}
    for side in ("from", "to"):
        party = payload.get(side)
        if not isinstance(party, dict) or not party.get("number"):
            continue
        raw = str(party["number"])
        internal = str(party.get("type", "")).lower() == "internal"
        sides[side] = internal
        number = normalize_or_none(raw)
        if number:
            out[f"{side}_number"] = number
        else:
            out[f"{side}_user"] = raw
    if payload.get("request_from_user_id"):
        out["from_user"] = str(payload["request_from_user_id"])
    if len(sides) == 2:
        start = "app" if sides["from"] else "phone"
        end = "app" if sides["to"] else "phone"
        out["direction"] = f"{start}_to_{end}"
    return out


def event_key(status: str, timestamp_ms: int, payload: dict) -> str:
    """An event's place in a total order that does not depend on arrival (ties broken by content).

    40 digits: the zero-padded timestamp, then 64 bits of a hash of the status and payload. Digits
    of one length sort the same as text in every database collation and as numbers, so the
    database can compare keys (calls.fold) exactly as this module sorts them.
    """
    content = f"{status}\n{json.dumps(payload, sort_keys=True, default=str)}".encode()
    tie = int.from_bytes(hashlib.sha256(content).digest()[:8], "big")
    return f"{timestamp_ms:020d}{tie:020d}"


def _canonical(event: Event) -> str:
    return event_key(event.status, event.timestamp_ms, event.payload)


def derive(events: list[Event]) -> dict:
    """The CallRecord fields the events determine (empty dict for no events)."""
    if not events:
        return {}
    ordered = sorted(events, key=_canonical) if len(events) > 1 else events  # one: no key needed
    record: dict = {}
    for event in ordered:  # first value seen in canonical order wins, for every party field
        for field, value in parties(event.payload).items():
            record.setdefault(field, value)
    started = moment(ordered[0].timestamp_ms)
    answered_events = [e for e in ordered if e.status == ANSWERED]
    ended_events = [e for e in ordered if e.status == ENDED]
    answered_at = moment(answered_events[0].timestamp_ms) if answered_events else None
    ended_at = moment(ended_events[0].timestamp_ms) if ended_events else None
    end = ended_events[0].payload if ended_events else {}
    answer_duration = _number(end.get("answerDuration"))
    if answered_at is None and ended_at is not None and answer_duration and answer_duration > 0:
        answered_at = ended_at - timedelta(seconds=answer_duration)
    talk = None
    if answer_duration is not None and ended_at is not None:
        talk = round(answer_duration)
    elif answered_at and ended_at:
        talk = min(max(0, round((ended_at - answered_at).total_seconds())), MAX_SECONDS)
    ring_from = next((moment(e.timestamp_ms) for e in ordered if e.status == "ringing"), started)
    ring_until = answered_at or ended_at
    ring = (
        min(max(0, round((ring_until - ring_from).total_seconds())), MAX_SECONDS)
        if ring_until
        else None
    )
    end_cause = str(end.get("endCallCause") or "")
    if ended_at is None:
        status = "answered" if answered_at else "in_progress"
    else:
        status = final_status(answered_at is not None, end_cause)
    record.update(
        started_at=started,
        answered_at=answered_at,
        ended_at=ended_at,
        ring_seconds=ring,
        talk_seconds=talk,
        status=status,
        end_cause=end_cause[:255],
        ended_by=str(end.get("endedBy") or "")[:64],
    )
    return record
