"""The call record as a fold of its events: one UPDATE merges one event into the stored record.

Every stored column is a merge that is commutative, idempotent and order-free — an earliest
time (`LEAST`), or a value tagged with the canonical key of the event that gave it and replaced
only by an event with a smaller key — and every user-visible field is computed, in the same
statement, from the merged columns. So folding a set of events in any order, any number of
times, gives the record `calls.cdr.derive` gives for that set (tested over permutations).

Every right-hand side of an UPDATE sees the old row, so the derived fields are written over the
merged expressions, not over the columns being assigned. The derived fields use each merged
value several times; as nested Django expressions (Coalesce, Least, Case/When) that tree is
copied and resolved for every use, which cost ~100 ms of Python per event, and even as RawSQL
values the ORM's UPDATE compiler cost more than the rest of the fold. So the statement is built
here from small SQL fragments (a fragment is SQL text and its parameters; integers and keys,
which are digits, are written inline; every other value is a parameter), and the only
differences between SQLite and PostgreSQL — `MIN`/`LEAST` and turning microseconds into a
timestamp — are in `_least` and `_timestamp`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from django.db import connection

from calls import cdr
from calls.models import CallRecord
from portal.models import Project, VirtualNumber
from portal.phone import normalize_or_none

MICROS = 1_000_000
_PART = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Frag:
    """A piece of SQL and its parameters, in order."""

    sql: str
    params: tuple = ()


def fill(template: str, **parts: Frag) -> Frag:
    """`template` with each `{name}` replaced by that fragment (a part may appear many times)."""
    pieces: list[str] = []
    params: list = []
    end = 0
    for match in _PART.finditer(template):
        part = parts[match.group(1)]
        pieces += [template[end : match.start()], part.sql]
        params += part.params
        end = match.end()
    return Frag("".join([*pieces, template[end:]]), tuple(params))


@lru_cache(maxsize=64)
def col(name: str) -> Frag:
    return Frag(connection.ops.quote_name(name))


def num(value: int | None) -> Frag:
    return Frag("NULL" if value is None else str(int(value)))


def param(value) -> Frag:
    return Frag("%s", (value,))


def key_literal(key: str) -> Frag:
    if not key.isdigit():  # cdr.event_key is digits only: safe to write inline
        raise ValueError(key)
    return Frag(f"'{key}'")


def _least(a: Frag, b: Frag) -> Frag:
    # PostgreSQL's LEAST skips NULLs; SQLite's MIN(a, b) is NULL if either is: hence COALESCE.
    name = "MIN" if connection.vendor == "sqlite" else "LEAST"
    return fill(f"COALESCE({name}({{a}}, {{b}}), {{a}}, {{b}})", a=a, b=b)


def _timestamp(micros: Frag) -> Frag:
    """Epoch microseconds → a timestamp: exact on PostgreSQL, Django's own text form on SQLite."""
    if connection.vendor == "sqlite":  # "YYYY-MM-DD HH:MM:SS[.ffffff]", no fraction when zero
        return fill(
            "(strftime('%%Y-%%m-%%d %%H:%%M:%%S', {m} / "
            "1000000, 'unixepoch') || CASE WHEN {m} %% 1000000"
            " = 0 THEN '' ELSE printf('.%%06d', {m} %% 1000000) END)",
            m=micros,
        )
    return fill("(TIMESTAMP WITH TIME ZONE 'epoch' + {m} * INTERVAL '1 microsecond')", m=micros)


def _whole_seconds(micros: Frag) -> Frag:
    """max(0, round(micros / 1e6)) with Python's round-half-to-even, in integer arithmetic, at
    most MAX_SECONDS (as calls.cdr)."""
    return fill(
        "(CASE WHEN {d} <= 0 THEN 0"
        f" WHEN {{d}} >= {cdr.MAX_SECONDS * 1_000_000} THEN {cdr.MAX_SECONDS}"
        " WHEN {d} %% 1000000 = 500000 AND ({d} / 1000000) %% 2 = 0"
        " THEN {d} / 1000000 ELSE ({d} + 500000) / 1000000 END)",
        d=micros,
    )


def _keyed(key_column: str, key: str, value: Frag, column: str) -> Frag:
    """`value` if this event's key comes before the one stored in `key_column` (or none is: "")."""
    return fill(
        "(CASE WHEN {k} = '' OR {k} > {key} THEN {v} ELSE {c} END)",
        k=col(key_column),
        key=key_literal(key),
        v=value,
        c=col(column),
    )


def _ended_event(payload: dict, moment_us: int) -> dict[str, Frag]:
    """The fold columns an `ended` event offers (kept only while it is the earliest ended one)."""
    duration = cdr._number(payload.get("answerDuration"))
    cause = str(payload.get("endCallCause") or "")
    answered = (
        moment_us - round(duration * MICROS) if duration is not None and duration > 0 else None
    )
    return {
        "end_answered_us": num(answered),
        "end_talk_seconds": num(round(duration) if duration is not None else None),
        "end_unanswered_status": param(cdr.final_status(False, cause)),
        "end_cause": param(cause[:255]),
        "ended_by": param(str(payload.get("endedBy") or "")[:64]),
    }


def candidate_numbers(payload: dict) -> set[str]:
    """E.164 forms of the numbers and aliases of the event's `from` and `to` (any typed form)."""
    numbers = set()
    for side in ("from", "to"):
        party = payload.get(side)
        if isinstance(party, dict):
            for name in ("number", "alias"):
                if party.get(name):
                    number = normalize_or_none(str(party[name]))
                    if number:
                        numbers.add(number)
    return numbers


def _own_number(project: Project, numbers: set[str]) -> Frag:
    """The lowest-id number of the project among `numbers`, as a subquery of the UPDATE.

    Written out (not built by the ORM, which cost more than the rest of the fold) on the
    unique index of `number`.
    """
    meta = VirtualNumber._meta
    table, pk, owner, number = (
        connection.ops.quote_name(name) for name in (meta.db_table, "id", "project_id", "number")
    )
    marks = ", ".join(["%s"] * len(numbers))
    subquery = Frag(
        f"(SELECT {table}.{pk} FROM {table} WHERE "
        f"{table}.{owner} = %s AND {table}.{number} IN ({marks})"
        f" ORDER BY {table}.{pk} LIMIT 1)",
        (project.pk, *sorted(numbers)),
    )
    return _least(col("virtual_number_id"), subquery)


def merge(project: Project, status: str, timestamp_ms: int, payload: dict) -> dict[str, Frag]:
    """SET fragments of the UPDATE that folds this event into its call's record."""
    key = cdr.event_key(status, timestamp_ms, payload)
    at = num(timestamp_ms * 1000)
    sets: dict[str, Frag] = {"first_us": _least(col("first_us"), at)}
    times = {"ringing": "ringing_us", "answered": "answered_event_us", "ended": "ended_us"}
    if status in times:
        sets[times[status]] = _least(col(times[status]), at)
    if status == cdr.ENDED:
        sets["end_key"] = _keyed("end_key", key, key_literal(key), "end_key")
        for column, value in _ended_event(payload, timestamp_ms * 1000).items():
            sets[column] = _keyed("end_key", key, value, column)
    for field, value in cdr.parties(payload).items():
        sets[field] = _keyed(f"{field}_key", key, param(value), field)
        sets[f"{field}_key"] = _keyed(f"{field}_key", key, key_literal(key), f"{field}_key")
    numbers = candidate_numbers(payload)
    if numbers:  # the project's own number among them, in the same statement (no extra round trip)
        sets["virtual_number_id"] = _own_number(project, numbers)
    return {**sets, **_derived({name: sets.get(name, col(name)) for name in _MERGED})}


_MERGED = (
    "first_us",
    "ringing_us",
    "answered_event_us",
    "ended_us",
    "end_answered_us",
    "end_talk_seconds",
    "end_unanswered_status",
)


def _derived(m: dict[str, Frag]) -> dict[str, Frag]:
    """The user-visible fields as functions of the merged columns (cdr.derive's rules)."""
    answered = fill("COALESCE({a}, {e})", a=m["answered_event_us"], e=m["end_answered_us"])
    ring = fill(
        "(COALESCE({a}, {e}) - COALESCE({r}, {f}))",
        a=answered,
        e=m["ended_us"],
        r=m["ringing_us"],
        f=m["first_us"],
    )
    return {
        "started_at": _timestamp(m["first_us"]),
        "answered_at": _timestamp(answered),
        "ended_at": _timestamp(m["ended_us"]),
        "ring_seconds": _whole_seconds(ring),
        "talk_seconds": fill(
            "COALESCE({t}, {w})",
            t=m["end_talk_seconds"],
            w=_whole_seconds(fill("({e} - {a})", e=m["ended_us"], a=answered)),
        ),
        # answered whether ended or not; else in progress until an `ended`
        "status": fill(
            "(CASE WHEN {a} IS NOT NULL THEN 'answered' WHEN "
            "{e} IS NULL THEN 'in_progress' ELSE {u} END)",
            a=answered,
            e=m["ended_us"],
            u=m["end_unanswered_status"],
        ),
    }


def fold_event(
    project: Project, call_id: str, status: str, timestamp_ms: int, payload: dict, now: datetime
) -> int:
    """Merge the event into the call's record with one UPDATE; rows updated (0: no record yet)."""
    merged = merge(project, status, timestamp_ms, payload)
    merged["updated_at"] = param(connection.ops.adapt_datetimefield_value(now))
    meta = CallRecord._meta
    sets = [fill(f"{col(_column(name)).sql} = {{v}}", v=frag) for name, frag in merged.items()]
    statement = Frag(
        f"UPDATE {connection.ops.quote_name(meta.db_table)} SET {', '.join(f.sql for f in sets)}"
        f" WHERE {col('project_id').sql} = %s AND {col('call_id').sql} = %s",
        (*(value for f in sets for value in f.params), project.pk, call_id),
    )
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, statement.params)
        return cursor.rowcount


def _column(field_name: str) -> str:
    return str(CallRecord._meta.get_field(field_name).column)  # type: ignore[union-attr]
