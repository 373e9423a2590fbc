"""Event_url ingestion: validate a payload, store it once, fold it into the call's record.

Each event is committed before the 200 with a constant amount of work whatever the call's
length: the event is inserted with "on conflict do nothing" (a retry is stored once) and merged
into its call's record by one upsert (calls.fold), as one statement on PostgreSQL
(calls.event_store). Routing decisions parked for the call (routing.decisions) are then stored
under the record, once each, and only then removed from where they were parked.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from calls import cdr
from calls.event_store import insert_event, store_call_event
from calls.models import CALL_EVENT_TYPE, CallDecision, CallEvent
from calls.payloads import MAX_ID_LENGTH, BadPayload, load_object, required_id
from calls.recordings import recording_fields, store_recording
from portal.models import Project
from routing.decisions import join_by_parties, parked_decisions, release

__all__ = ["BadPayload", "ingest_event", "load_object", "parse_event", "required_id"]

# Epoch milliseconds of 2000-01-01 and 2100-01-01 (UTC): any real event falls between them, and
# every time derived from one fits the database's timestamp types (year 9999 broke the record).
MIN_TIMESTAMP_MS = 946_684_800_000
MAX_TIMESTAMP_MS = 4_102_444_800_000
MAX_SECONDS = (
    1_000_000  # ~11.5 days: longer than any call; keeps derived seconds in an integer column
)
MAX_PROJECT_ID = 2**53
INT64 = 2**63
# Optional numbers and their inclusive bounds.
_OPTIONAL_NUMBERS = {
    "duration": (0, MAX_SECONDS),
    "answerDuration": (0, MAX_SECONDS),
    "project_id": (0, MAX_PROJECT_ID),
}
_OPTIONAL_TEXTS = (
    "call_status",
    "event",
    "type",
    "endCallCause",
    "endedBy",
    "request_from_user_id",
)
_PARTY_TEXTS = ("number", "alias", "type")
_RECORDING_LINKS = ("recording_url", "recordingUrl")


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_recording_post(payload: dict) -> bool:
    """A CDR-like post: a recording link and no `call_status` (it attaches the recording)."""
    return not payload.get("call_status") and any(payload.get(name) for name in _RECORDING_LINKS)


def parse_event(body: bytes) -> dict:
    """The event payload in `body`, checked; BadPayload names the first problem."""
    payload = load_object(body)
    kind = payload.get("type", CALL_EVENT_TYPE)
    if not isinstance(kind, str):
        raise BadPayload("bad_field", "`type` must be a string.")
    # Room (conference) events share the event_url; they may name their room instead of a call.
    names = ("call_id",) if kind == CALL_EVENT_TYPE else ("call_id", "room_id")
    required_id(payload, *names)
    stamp = payload.get("timestamp_ms")
    if stamp is None and kind == CALL_EVENT_TYPE and not is_recording_post(payload):
        raise BadPayload(
            "missing_timestamp_ms", "A call event needs `timestamp_ms` (epoch milliseconds)."
        )
    if stamp is not None and not (_is_int(stamp) and MIN_TIMESTAMP_MS <= stamp < MAX_TIMESTAMP_MS):
        raise BadPayload(
            "bad_field",
            "`timestamp_ms` must be an integer (epoch milliseconds) between 2000 and 2100.",
        )
    for name in _OPTIONAL_TEXTS:
        if payload.get(name) is not None and not isinstance(payload[name], str):
            raise BadPayload("bad_field", f"`{name}` must be a string.")
    user = payload.get("request_from_user_id")
    if user is not None and len(user) > MAX_ID_LENGTH:
        raise BadPayload(
            "bad_field", f"`request_from_user_id` must be at most {MAX_ID_LENGTH} characters."
        )
    for name, (low, high) in _OPTIONAL_NUMBERS.items():
        value = payload.get(name)
        if value is not None and (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not low <= value <= high
        ):
            raise BadPayload("bad_field", f"`{name}` must be a number from {low} to {high}.")
    for name in ("from", "to"):
        _check_party(payload, name)
    event_id = payload.get("event_id")
    if event_id is not None and not (isinstance(event_id, str) or _is_int(event_id)):
        raise BadPayload("bad_field", "`event_id` must be a string or an integer.")
    if event_id is not None and len(str(event_id)) > MAX_ID_LENGTH:
        raise BadPayload("bad_field", f"`event_id` must be at most {MAX_ID_LENGTH} characters.")
    serial = payload.get("serial")
    if serial is not None and not (_is_int(serial) and -INT64 <= serial < INT64):
        raise BadPayload("bad_field", "`serial` must be a 64-bit integer.")
    if kind == CALL_EVENT_TYPE and is_recording_post(payload):
        recording_fields(payload)  # the link must be usable
    return payload


def _check_party(payload: dict, side: str) -> None:
    """`from` / `to` is an object whose `number`, `alias` and `type` are strings (ids: ≤ 128)."""
    party = payload.get(side)
    if party is None:
        return
    if not isinstance(party, dict):
        raise BadPayload("bad_field", f"`{side}` must be an object ({{number, alias, type}}).")
    for name in _PARTY_TEXTS:
        value = party.get(name)
        if value is not None and not (isinstance(value, str) and len(value) <= MAX_ID_LENGTH):
            raise BadPayload(
                "bad_field",
                f"`{side}.{name}` must be a string of at most {MAX_ID_LENGTH} characters.",
            )


def _event(project: Project, payload: dict) -> CallEvent:
    stamp = payload.get("timestamp_ms")
    event_id = payload.get("event_id")
    return CallEvent(
        project=project,
        call_id=str(payload.get("call_id") or payload.get("room_id") or ""),
        status=(payload.get("call_status") or payload.get("event") or "")[:32],
        type=payload.get("type", CALL_EVENT_TYPE)[:32],
        timestamp_ms=stamp,
        occurred_at=cdr.moment(stamp) if stamp is not None else None,
        event_id="" if event_id is None else str(event_id),
        serial=payload.get("serial"),
        payload=payload,
        received_at=timezone.now(),
    )


def _parties(payload: dict, side: str) -> list[str]:
    party = payload.get(side)
    if not isinstance(party, dict):
        return []
    return [str(party[name]) for name in ("number", "alias") if party.get(name)]


def _from_a_phone(payload: dict) -> bool:
    caller = payload.get("from")
    return isinstance(caller, dict) and str(caller.get("type", "")).lower() != "internal"


def _store(event: CallEvent) -> bool:
    """Store the call event and fold it into its record (an event without a time only stored);
    True if this created the record."""
    if event.timestamp_ms is None:
        insert_event(event)
        return False
    return store_call_event(event, now=event.received_at)


def ingest_event(project: Project, payload: dict) -> None:
    """Store a parsed event once and fold it into its call's record (non-call events: stored
    only), then file the routing decisions parked for the call under its record."""
    event = _event(project, payload)
    if event.type != CALL_EVENT_TYPE:
        insert_event(event)
        return
    if is_recording_post(payload):
        with transaction.atomic():
            created = _store(event)
            store_recording(project, recording_fields(payload))
    else:
        created = _store(event)
    parked = parked_decisions(project.pk, event.call_id)
    taken = parked.entries
    if created and not taken and _from_a_phone(payload):  # only phones get a uuid-only answer_url
        callers, called = _parties(payload, "from"), _parties(payload, "to")
        taken = join_by_parties(project.pk, event.call_id, callers, called, event.timestamp_ms)
    if taken:
        CallDecision.objects.bulk_create(
            [
                CallDecision(
                    project=project,
                    call_id=event.call_id,
                    token=entry["token"],
                    parked_us=entry["at_us"],
                    decision=entry["decision"],
                )
                for entry in taken
            ],
            ignore_conflicts=True,
        )
    release(parked)  # only now, so a failure above leaves them parked for the next event
