"""Writing one call event: the event row (stored once) and its fold into the call's record.

On PostgreSQL both are one statement — the event's INSERT as a data-modifying CTE of the
record's upsert (calls.fold) — run in autocommit: one round trip, atomic, committed when it
returns. Its text is the same for every event, so it goes through a cursor that binds
parameters on the server and is prepared once per connection (after DB_PREPARE_THRESHOLD runs),
sparing the server the parse and plan of the fold's expressions on every
event. SQLite has no data-modifying CTE: there the two statements run in one transaction.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.backends.postgresql.base import ServerBindingCursor
from django.db.backends.utils import CursorWrapper

from calls.fold import upsert
from calls.models import CallEvent
from portal.webhooks.deadline import DatabaseDeadlineExceeded

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
    connection.ensure_connection()
    raw: Any = ServerBindingCursor(connection.connection)  # type: ignore[call-arg]
    if connection.queries_logged:
        return connection.make_debug_cursor(raw)
    return connection.make_cursor(raw)


def _run_on_postgresql(sql: str, params: list) -> bool:
    """Run the event's statement; its one value.

    Django's health check would cost every event a `SELECT 1` round trip before the statement.
    Instead, a reused connection that the server dropped since its last request (a restart) is
    replaced and the statement run once more, which is safe because it is idempotent. A new
    connection, a transaction in progress or a deadline that has passed is not retried.
    """
    reused = connection.connection is not None and not connection.in_atomic_block
    try:
        with _server_binding_cursor() as cursor:
            cursor.execute(sql, params)
            created = bool(cursor.fetchone()[0])
    except (OperationalError, InterfaceError) as error:
        if not reused or isinstance(error, DatabaseDeadlineExceeded):
            raise
        connection.close()
        with _server_binding_cursor() as cursor:
            cursor.execute(sql, params)
            created = bool(cursor.fetchone()[0])
    connection.health_check_done = True  # type: ignore[attr-defined]  # it answered: no check
    return created


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
        return _run_on_postgresql(
            f"WITH stored AS ({event_sql}) {fold_sql}", event_params + fold_params
        )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(event_sql, event_params)
        cursor.execute(fold_sql, fold_params)
        return bool(cursor.fetchone()[0])
