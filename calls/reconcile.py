"""Closing the gaps the event_url left with Stringee's call log: add the calls no event told of,
end the calls whose end event never came, and keep what Stringee charged for each call.

The call log does not write the record's fields itself. Each call-log row is turned into the
call events it stands for — `started` (with its parties) when the portal has no record of the
call, and `ended` (with `answerDuration`) when the record has no end — stored under ids of their
own (`calllog-…`, so a second reading stores nothing again) and folded by the same upsert as
Stringee's events (calls.fold). A record therefore stays a function of the set of its events:
an event arriving after the reconcile is folded into the same record (one per call), the
earliest `ended` event giving the end, as for any repeated end event.

Only `amount` and the `call_log` mark are written directly; the fold never touches them. A row
whose `project_id` is not the project's Stringee projectId is ignored. Nothing changes when
nothing differs, so a second run writes nothing.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from calls import cdr
from calls.event_store import store_call_event
from calls.models import (
    CALL_EVENT_TYPE,
    CallEvent,
    CallLogCheck,
    CallLogUse,
    CallRecord,
    RollupSpan,
)
from calls.rollups import rollup_time_zones, rollups_recount
from portal.models import Project
from portal.stringee.call_log import CallLogRow, project_call_log
from portal.stringee.errors import StringeeError

logger = logging.getLogger(__name__)

SOURCE = "call_log"  # the `source` of the events a call-log row stands for
CHUNK = 500


@dataclass
class Reconciled:
    """What one reconcile changed."""

    rows: int = 0
    added: int = 0
    completed: int = 0
    priced: int = 0
    ignored: int = 0
    days: set[datetime] = field(default_factory=set)  # start times of the changed calls

    @property
    def changed(self) -> int:
        return self.added + self.completed + self.priced


def _event_id(call_id: str, status: str) -> str:
    digest = hashlib.sha256(f"{call_id}\n{status}".encode()).hexdigest()[:40]
    return f"calllog-{status}-{digest}"


def _party(number: str, internal: bool) -> dict:
    return {"number": number, "alias": number, "type": "internal" if internal else "external"}


def _events(row: CallLogRow, *, with_start: bool, project: Project, now: datetime) -> list:
    """The events the row stands for: its start (with the parties) if asked, and its end."""
    if row.stop_ms is None:
        return []
    start_ms = row.start_ms or (row.created_s * 1000 if row.created_s else None) or row.stop_ms
    start_ms = min(start_ms, row.stop_ms)
    common = {
        "type": CALL_EVENT_TYPE,
        "call_id": row.call_id,
        "project_id": project.stringee_project_id,
        "source": SOURCE,
    }
    answered = row.answer_ms is not None and start_ms <= row.answer_ms <= row.stop_ms
    talk_ms = row.stop_ms - row.answer_ms if answered and row.answer_ms is not None else 0
    ended: dict[str, Any] = {
        **common,
        "call_status": cdr.ENDED,
        "timestamp_ms": row.stop_ms,
        "duration": (row.stop_ms - start_ms) / 1000,
        "answerDuration": talk_ms / 1000,
        "call_log": row.raw,
    }
    found: list[dict[str, Any]] = [ended]
    if with_start:
        caller = row.from_user_id if row.from_internal and row.from_user_id else row.from_number
        started: dict[str, Any] = {
            **common,
            "call_status": "started",
            "timestamp_ms": start_ms,
            "from": _party(caller, row.from_internal),
            "to": _party(row.to_number, row.to_internal),
        }
        if row.from_internal and row.from_user_id:
            started["request_from_user_id"] = row.from_user_id
        found.insert(0, started)
    return [
        CallEvent(
            project=project,
            call_id=row.call_id,
            status=payload["call_status"],
            type=CALL_EVENT_TYPE,
            timestamp_ms=payload["timestamp_ms"],
            occurred_at=cdr.moment(payload["timestamp_ms"]),
            event_id=_event_id(row.call_id, payload["call_status"]),
            payload=payload,
            received_at=now,
        )
        for payload in found
    ]


def _records(project: Project, call_ids: list[str]) -> dict[str, CallRecord]:
    found: dict[str, CallRecord] = {}
    for start in range(0, len(call_ids), CHUNK):
        rows = CallRecord.objects.filter(
            project=project, call_id__in=call_ids[start : start + CHUNK]
        )
        for record in rows.only("call_id", "ended_at", "started_at", "amount", "call_log"):
            found[record.call_id] = record
    return found


def call_log_reconcile(
    *, project: Project, rows: Iterable[CallLogRow], now: datetime | None = None
) -> Reconciled:
    """Bring `project`'s call records in line with its call-log rows, in one transaction; what
    changed. Rollups of finished days the changes touch are counted again."""
    now = now or timezone.now()
    result = Reconciled()
    own: dict[str, CallLogRow] = {}
    for row in rows:
        result.rows += 1
        if row.project_id != project.stringee_project_id:
            result.ignored += 1  # another project's call: never this tenant's
            continue
        own[row.call_id] = row
    records = _records(project, list(own))
    with transaction.atomic():
        for row in own.values():
            _reconcile_one(project, row, records.get(row.call_id), now, result)
    _recount(project, result.days)
    return result


def _reconcile_one(
    project: Project, row: CallLogRow, record: CallRecord | None, now: datetime, result: Reconciled
) -> None:
    events = []
    if record is None or record.ended_at is None:
        events = _events(row, with_start=record is None, project=project, now=now)
    created = False
    for event in events:
        created = store_call_event(event, now=now) or created
    changes: dict = {}
    if events:
        mark = CallLogUse.ADDED if created else CallLogUse.COMPLETED
        if record is None or not record.call_log:
            changes["call_log"] = mark
        result.added += mark == CallLogUse.ADDED
        result.completed += mark == CallLogUse.COMPLETED
    exists = record is not None or bool(events)
    if exists and row.amount is not None and (record is None or record.amount != row.amount):
        changes["amount"] = row.amount
        result.priced += 1
    if changes:
        CallRecord.objects.filter(project=project, call_id=row.call_id).update(
            **changes, updated_at=now
        )
    if events or "amount" in changes:
        started = record.started_at if record is not None else None
        if started is None and events:
            started = events[0].occurred_at
        if started is not None:
            result.days.add(started)


def _recount(project: Project, moments: set[datetime]) -> None:
    """Count again the stored (finished) days of the changed calls, in each time zone."""
    if not moments:
        return
    for zone_name in rollup_time_zones(project):
        zone = ZoneInfo(zone_name)
        days = {moment.astimezone(zone).date() for moment in moments}
        span = RollupSpan.objects.filter(project=project, time_zone=zone_name).first()
        if span is None:
            continue
        inside = sorted(day for day in days if span.first_day <= day <= span.last_day)
        if inside:
            rollups_recount(project=project, time_zone=zone_name, first=inside[0], last=inside[-1])


def call_log_check(
    *, project: Project, since: datetime, until: datetime | None = None
) -> CallLogCheck:
    """Read `project`'s call log from `since` to `until` (now) and reconcile its records with it;
    the reading's row. StringeeError (the row keeps why, nothing else is written) if Stringee
    could not be read."""
    started = timezone.now()
    until = until or started
    check = CallLogCheck.objects.create(
        project=project, started_at=started, since=since, until=until
    )
    try:
        rows = project_call_log(project, since=since, until=until)
    except StringeeError as exc:
        check.error = exc.stored[:255]
        check.finished_at = timezone.now()
        check.save(update_fields=["error", "finished_at"])
        logger.warning("call log of project %s not read: %s", project.pk, exc.stored)
        raise
    result = call_log_reconcile(project=project, rows=rows)
    for name in ("rows", "added", "completed", "priced", "ignored"):
        setattr(check, name, getattr(result, name))
    check.ok = True
    check.finished_at = timezone.now()
    check.save()
    logger.info(
        "call log of project %s: %d calls, %d added, %d completed, %d charges, %d ignored",
        project.pk,
        result.rows,
        result.added,
        result.completed,
        result.priced,
        result.ignored,
    )
    return check


def reconcilable_projects() -> QuerySet[Project]:
    """The projects whose call log can be read: active, with an API key SID and secret."""
    return (
        Project.objects.filter(is_active=True)
        .exclude(api_key_sid="")
        .exclude(api_key_secret="")
        .order_by("pk")
    )


def since_text(value: str) -> timedelta:
    """`24h`, `7d`, `90m` as a span; ValueError otherwise."""
    value = value.strip().lower()
    units = {"m": "minutes", "h": "hours", "d": "days"}
    if len(value) < 2 or value[-1] not in units or not value[:-1].isdigit():
        raise ValueError(value)
    amount = int(value[:-1])
    if not 0 < amount <= 366 * 24 * 60:
        raise ValueError(value)
    span = timedelta(**{units[value[-1]]: amount})
    if span > timedelta(days=366):
        raise ValueError(value)
    return span
