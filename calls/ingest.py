"""Event_url ingestion: validate a payload, store it once, bring the call's record up to date.

One transaction per event: the event is inserted with "on conflict do nothing" (a retry is
stored once), the call's record is created the same way, then locked (`SELECT … FOR UPDATE`)
and re-derived from all of the call's stored events (calls.cdr). The lock serialises events of
one call, and whoever takes it last sees every event committed before it, so concurrent
deliveries converge on one correct record.
"""

import json
from dataclasses import dataclass

from django.db import transaction

from calls import cdr
from calls.models import CALL_EVENT_TYPE, CallEvent, CallRecord
from calls.routing_log import collect_decision, remember_decision
from portal.models import Project, VirtualNumber

MAX_ID_LENGTH = 128
_OPTIONAL_NUMBERS = ("duration", "answerDuration", "project_id")
_OPTIONAL_TEXTS = ("call_status", "event", "type", "endCallCause", "endedBy", "request_from_user_id")


@dataclass
class BadPayload(Exception):
    """The body cannot be stored; `code` and `detail` go into the 400 reply."""

    code: str
    detail: str


def load_object(body: bytes) -> dict:
    """The JSON object in `body`, or BadPayload (malformed_json / not_an_object)."""
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadPayload("malformed_json", f"The body is not valid JSON ({exc}).") from exc
    if not isinstance(payload, dict):
        raise BadPayload("not_an_object", f"The body must be a JSON object, not {type(payload).__name__}.")
    return payload


def required_id(payload: dict, *names: str) -> str:
    """The first of `names` present, as a non-empty string of at most 128 characters."""
    value = next((payload[name] for name in names if payload.get(name) not in (None, "")), None)
    if value is None:
        raise BadPayload(f"missing_{names[0]}", f"The body has no `{names[0]}`.")
    if not isinstance(value, str) or len(value) > MAX_ID_LENGTH:
        raise BadPayload("bad_field", f"`{names[0]}` must be a string of at most {MAX_ID_LENGTH} characters.")
    return value


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


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
    if stamp is None and kind == CALL_EVENT_TYPE:
        raise BadPayload("missing_timestamp_ms", "A call event needs `timestamp_ms` (epoch milliseconds).")
    if stamp is not None and (not _is_int(stamp) or stamp < 0):
        raise BadPayload("bad_field", "`timestamp_ms` must be a non-negative integer (epoch milliseconds).")
    for name in _OPTIONAL_TEXTS:
        if payload.get(name) is not None and not isinstance(payload[name], str):
            raise BadPayload("bad_field", f"`{name}` must be a string.")
    for name in _OPTIONAL_NUMBERS:
        value = payload.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise BadPayload("bad_field", f"`{name}` must be a number.")
    for name in ("from", "to"):
        if payload.get(name) is not None and not isinstance(payload[name], dict):
            raise BadPayload("bad_field", f"`{name}` must be an object ({{number, alias, type}}).")
    return payload


def ingest_event(project: Project, payload: dict) -> CallRecord | None:
    """Store a parsed event once and bring its call's record up to date (None for non-call events)."""
    kind = payload.get("type", CALL_EVENT_TYPE)
    call_id = payload.get("call_id") or payload.get("room_id")
    stamp = payload.get("timestamp_ms")
    event = CallEvent(
        project=project,
        call_id=call_id,
        status=(payload.get("call_status") or payload.get("event") or "")[:32],
        type=kind[:32],
        timestamp_ms=stamp,
        occurred_at=cdr.moment(stamp) if stamp is not None else None,
        payload=payload,
    )
    collected: list[dict] = []
    try:
        with transaction.atomic():
            CallEvent.objects.bulk_create([event], ignore_conflicts=True)
            return refresh_record(project, call_id, collected) if kind == CALL_EVENT_TYPE else None
    except Exception:
        for decision in collected:  # the record did not keep it: leave it for the next event
            remember_decision(project.pk, call_id, decision)
        raise


def locked_record(project: Project, call_id: str) -> CallRecord:
    """The call's record, created if missing, locked for the rest of the transaction.

    Most events find the record already there: one locking SELECT. The first event of a call
    inserts it ("on conflict do nothing", so racing first events still make one) and locks it.
    """
    rows = CallRecord.objects.select_for_update().filter(project=project, call_id=call_id)
    record = rows.first()
    if record is None:
        CallRecord.objects.bulk_create([CallRecord(project=project, call_id=call_id)], ignore_conflicts=True)
        record = rows.get()
    return record


def refresh_record(project: Project, call_id: str, collected: list[dict] | None = None) -> CallRecord:
    """Re-derive the call's record from all its stored events (call inside a transaction).

    A routing decision the answer_url parked for this call is moved onto the record; it is
    also appended to `collected` so the caller can park it again if the transaction fails.
    """
    record = locked_record(project, call_id)
    rows = CallEvent.objects.filter(project=project, call_id=call_id, timestamp_ms__isnull=False)
    events = [cdr.Event(s, t, p) for s, t, p in rows.values_list("status", "timestamp_ms", "payload")]
    fields = cdr.derive(events)
    numbers = {fields.get("from_number"), fields.get("to_number")} - {None}
    known = {record.from_number, record.to_number}
    if numbers and record.virtual_number_id is None and not numbers <= known:  # newly learnt numbers
        fields["virtual_number"] = VirtualNumber.objects.filter(project=project, number__in=numbers).first()
    for name, value in fields.items():
        setattr(record, name, value)
    decision = collect_decision(project.pk, call_id)
    if decision is not None:
        record.routing = [*record.routing, decision]
        if collected is not None:
            collected.append(decision)
    record.save()
    return record
