"""Writing one call event: the event row (stored once) and its fold into the call's record.

On PostgreSQL both are one statement — the event's INSERT as a data-modifying CTE of the
record's upsert (calls.fold) — run in autocommit: one round trip, atomic, committed when it
returns. Its text depends only on the event's shape, so it goes through a cursor that binds
parameters on the server and is prepared once per connection (DB_PREPARE_THRESHOLD executions
of one shape), sparing the server the parse and plan of the fold's expressions on every event.
SQLite has no data-modifying CTE: there the two statements run in one transaction.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from django.db import connection, transaction
from django.db.backends.postgresql.base import ServerBindingCursor
from django.db.backends.utils import CursorWrapper

from calls.fold import upsert
from calls.models import CallEvent

_COLUMNS = (
    "project_id",
    "call_id",
    "status",
    "type",
    "timestamp_ms",
    "occurred_at",
    "received_at",
    "event_id",
    "serial",
    "payload",
)


@cache
def _event_insert(vendor: str) -> str:
    """INSERT of one event that skips a repeat (either unique key of calls.CallEvent)."""
    table = connection.ops.quote_name(CallEvent._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(name) for name in _COLUMNS)
    marks = ", ".join(["%s"] * len(_COLUMNS))
    return f"INSERT INTO {table} ({columns}) VALUES ({marks}) ON CONFLICT DO NOTHING"


def _event_params(event: CallEvent) -> list:
    ops = connection.ops
    payload = CallEvent._meta.get_field("payload").get_db_prep_save(event.payload, connection)
    return [
        event.project_id,
        event.call_id,
        event.status,
        event.type,
        event.timestamp_ms,
        ops.adapt_datetimefield_value(event.occurred_at),
        ops.adapt_datetimefield_value(event.received_at),
        event.event_id,
        event.serial,
        payload,
    ]


def insert_event(event: CallEvent) -> None:
    """Store an event that folds into no record (room events), once."""
    with connection.cursor() as cursor:
        cursor.execute(_event_insert(connection.vendor), _event_params(event))


def _server_binding_cursor() -> CursorWrapper:
    """A cursor of the default connection that binds parameters on the server (so a statement
    repeated on the connection is prepared), wrapped like Django's own (errors, query log)."""
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    raw: Any = ServerBindingCursor(connection.connection)  # type: ignore[call-arg]
    if connection.queries_logged:
        return connection.make_debug_cursor(raw)
    return connection.make_cursor(raw)


def store_call_event(event: CallEvent, *, now: datetime) -> bool:
    """Store the event once and fold it into its call's record; True if this created the record.

    A repeat of a stored event folds again, which changes nothing (the fold is idempotent).
    """
    if event.timestamp_ms is None:
        raise ValueError("only call events with a time are folded")
    fold_sql, fold_params = upsert(
        project_id=event.project_id,
        call_id=event.call_id,
        status=event.status,
        timestamp_ms=event.timestamp_ms,
        payload=event.payload,
        now=now,
    )
    event_sql, event_params = _event_insert(connection.vendor), _event_params(event)
    if connection.vendor == "postgresql":
        with _server_binding_cursor() as cursor:
            cursor.execute(f"WITH stored AS ({event_sql}) {fold_sql}", event_params + fold_params)
            return bool(cursor.fetchone()[0])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(event_sql, event_params)
        cursor.execute(fold_sql, fold_params)
        return bool(cursor.fetchone()[0])
