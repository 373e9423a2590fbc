"""The call record as a fold of its events: one upsert merges one event into the stored record.

An event is first made into the record of a call that had only that event (`event_row`): its
times, the values it offers (each tagged with the event's canonical key) and the user-visible
fields calls.cdr.derive gives for that one event. The upsert inserts that row, or, when the
call has a record, merges the two records column by column. Every merge is commutative,
idempotent and order-free — an earliest time (`LEAST`), or the value whose key comes first —
and the user-visible fields are derived again, in the same statement, from the merged columns.
So folding a set of events in any order, any number of times, gives the record cdr.derive gives
for that set (tested over permutations).

The statement is the same text for every event: only its parameters change. On PostgreSQL it is
therefore prepared once per connection (calls.event_store), which spares the server parsing and
planning it for every event. The only differences between SQLite and PostgreSQL — `MIN`/`LEAST`
and turning microseconds into a timestamp — are in `_least` and `_timestamp`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from django.db import connection

from calls import cdr
from calls.emulator.ids import is_test_call_id
from calls.models import CallRecord
from portal.models import VirtualNumber
from portal.phone import normalize_or_none

MICROS = 1_000_000
_PART = re.compile(r"\{(\w+)\}")
TIMES = {"ringing": "ringing_us", "answered": "answered_event_us", "ended": "ended_us"}
# Columns merged as the earliest time.
EARLIEST = ("first_us", *TIMES.values())
# Columns merged as the value of the event with the smallest key, each with its key's column.
KEYED = {
    **{field: f"{field}_key" for field in ("from_number", "to_number", "from_user", "to_user")},
    "direction": "direction_key",
    # what an `ended` event offers, kept while it is the earliest ended event of the call
    **{
        field: "end_key"
        for field in (
            "end_answered_us",
            "end_talk_seconds",
            "end_unanswered_status",
            "end_cause",
            "ended_by",
        )
    },
}
KEYS = tuple(dict.fromkeys(KEYED.values()))
DERIVED = ("started_at", "answered_at", "ended_at", "ring_seconds", "talk_seconds", "status")
MAX_CANDIDATES = 4  # numbers and aliases of `from` and `to`
# Aliases: the stored row, the event's row, and the layers of the merge (_merged_record).
RECORD, NEW, WINS, MERGE, TIMED, SPANS = "record", "excluded", "wins", "merged", "timed", "spans"


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


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _column(name: str) -> str:
    return str(CallRecord._meta.get_field(name).column)  # type: ignore[union-attr]


def _of(alias: str, name: str) -> Frag:
    return Frag(f"{alias}.{_quote(_column(name))}")


def _least(a: Frag, b: Frag) -> Frag:
    """The earlier of two times, either of which may be NULL."""
    if connection.vendor == "sqlite":  # SQLite's MIN(a, b) is NULL if either is
        return fill("COALESCE(MIN({a}, {b}), {a}, {b})", a=a, b=b)
    return fill("LEAST({a}, {b})", a=a, b=b)  # PostgreSQL's LEAST skips NULLs


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


def _wins() -> dict[str, Frag]:
    """For each key column: whether the event's values win (it offers them, and its key comes
    first)."""
    return {
        key: fill(
            "({new} <> '' AND ({old} = '' OR {old} > {new}))",
            new=_of(NEW, key),
            old=_of(RECORD, key),
        )
        for key in KEYS
    }


def _merged_columns() -> dict[str, Frag]:
    """The stored row merged with the event's row, for every merged column (reading `_wins` from
    the sub-select WINS)."""
    merge: dict[str, Frag] = {
        name: _least(_of(RECORD, name), _of(NEW, name)) for name in (*EARLIEST, "virtual_number")
    }
    for name in (*KEYS, *KEYED):
        merge[name] = fill(
            "CASE WHEN {wins} THEN {new} ELSE {old} END",
            wins=Frag(f"{WINS}.{_quote(KEYED.get(name, name))}"),
            new=_of(NEW, name),
            old=_of(RECORD, name),
        )
    return merge


def _derived() -> dict[str, Frag]:
    """The user-visible fields (cdr.derive's rules) read from the sub-select SPANS: the merged
    columns, `answered_us` (the answer's time: an answered event's, else the one an ended event's
    answerDuration implies), `ring_us` and `talk_us`."""
    m = {name: _of(SPANS, name) for name in ("first_us", "ended_us", "end_talk_seconds")}
    answered = Frag(f"{SPANS}.answered_us")
    return {
        "started_at": _timestamp(m["first_us"]),
        "answered_at": _timestamp(answered),
        "ended_at": _timestamp(m["ended_us"]),
        "ring_seconds": _whole_seconds(Frag(f"{SPANS}.ring_us")),
        "talk_seconds": fill(
            "COALESCE({t}, {w})",
            t=m["end_talk_seconds"],
            w=_whole_seconds(Frag(f"{SPANS}.talk_us")),
        ),
        # answered whether ended or not; else in progress until an `ended`
        "status": fill(
            "(CASE WHEN {a} IS NOT NULL THEN 'answered' WHEN "
            "{e} IS NULL THEN 'in_progress' ELSE {u} END)",
            a=answered,
            e=m["ended_us"],
            u=_of(SPANS, "end_unanswered_status"),
        ),
    }


def _aliased(values: dict[str, Frag]) -> Frag:
    return _listed([fill(f"{{v}} AS {_quote(name)}", v=v) for name, v in values.items()])


def _merged_record() -> tuple[list[str], Frag]:
    """The record's fields after the merge, and the SELECT giving them (one row), built as layers
    so that each value is computed once: WINS, then MERGE, then TIMES, then SPANS."""
    merge = _merged_columns()
    wins = fill("SELECT {w}", w=_aliased(_wins()))
    merged = fill(
        f"SELECT {{m}} FROM ({{wins}}) AS {WINS}",
        m=_aliased({_column(name): value for name, value in merge.items()}),
        wins=wins,
    )
    answered = fill(
        "COALESCE({a}, {e})", a=_of(MERGE, "answered_event_us"), e=_of(MERGE, "end_answered_us")
    )
    times = fill(
        f"SELECT {MERGE}.*, {{a}} AS answered_us FROM ({{merged}}) AS {MERGE}",
        a=answered,
        merged=merged,
    )
    spans = fill(
        f"SELECT {TIMED}.*, {{ring}} AS ring_us, {{talk}} AS talk_us FROM ({{times}}) AS {TIMED}",
        ring=fill(
            "(COALESCE({a}, {e}) - COALESCE({r}, {f}))",
            a=Frag(f"{TIMED}.answered_us"),
            e=_of(TIMED, "ended_us"),
            r=_of(TIMED, "ringing_us"),
            f=_of(TIMED, "first_us"),
        ),
        talk=fill("({e} - {a})", e=_of(TIMED, "ended_us"), a=Frag(f"{TIMED}.answered_us")),
        times=times,
    )
    derived = _derived()
    fields = [*merge, *derived, "updated_at"]
    columns = [*(_of(SPANS, name) for name in merge), *derived.values(), _of(NEW, "updated_at")]
    select = fill(
        f"SELECT {{columns}} FROM ({{spans}}) AS {SPANS}", columns=_listed(columns), spans=spans
    )
    return fields, select


def _listed(frags: list[Frag]) -> Frag:
    """The fragments joined by commas."""
    return fill(
        ", ".join(f"{{f{n}}}" for n in range(len(frags))),
        **{f"f{n}": frag for n, frag in enumerate(frags)},
    )


def _own_number() -> Frag:
    """The lowest-id number of the project among the event's candidates (NULL-padded to
    MAX_CANDIDATES), as a subquery on the unique index of `number`."""
    meta = VirtualNumber._meta
    table, pk, owner, number = (
        _quote(name) for name in (meta.db_table, "id", "project_id", "number")
    )
    marks = ", ".join(["%s"] * MAX_CANDIDATES)
    return Frag(
        f"(SELECT {table}.{pk} FROM {table} WHERE {table}.{owner} = %s"
        f" AND {table}.{number} IN ({marks}) ORDER BY {table}.{pk} LIMIT 1)"
    )


INSERTED = (  # the event's row, in this order; then its own number's subquery
    "project",
    "call_id",
    "created_at",
    "updated_at",
    *EARLIEST,
    *KEYED,
    *KEYS,
    *DERIVED,
    "recording_url",
    "is_test",
)


@cache
def upsert_sql(vendor: str) -> str:
    """INSERT the event's row, or merge it into the stored one (built once per vendor):

    INSERT INTO record AS record (…) VALUES (…)
    ON CONFLICT (project, call id) DO UPDATE SET (…) = (SELECT … merge of record and excluded)
    RETURNING created_at = %s          -- true when this statement created the record
    """
    fields, merged = _merged_record()
    targets = ", ".join(_quote(_column(name)) for name in fields)
    columns = ", ".join(_quote(_column(name)) for name in [*INSERTED, "virtual_number"])
    values = ", ".join(["%s"] * len(INSERTED))
    table = _quote(CallRecord._meta.db_table)
    statement = fill(
        f"INSERT INTO {table} AS {RECORD} ({columns}) VALUES ({values}, {{own}})"
        f" ON CONFLICT ({_quote(_column('project'))}, {_quote('call_id')})"
        f" DO UPDATE SET ({targets}) = ({{merged}})"
        f" RETURNING {_quote('created_at')} = %s",
        own=_own_number(),
        merged=merged,
    )
    if statement.params:
        raise ValueError("the upsert's text holds no values")
    return statement.sql


def candidate_numbers(payload: dict) -> list[str]:
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
    return sorted(numbers)


def _ended(payload: dict, moment_us: int) -> dict:
    """What an `ended` event offers: the answer its answerDuration implies, talk seconds, the
    status it would end an unanswered call with, cause and who ended."""
    duration = cdr._number(payload.get("answerDuration"))
    cause = str(payload.get("endCallCause") or "")
    answered = (
        moment_us - round(duration * MICROS) if duration is not None and duration > 0 else None
    )
    return {
        "end_answered_us": answered,
        "end_talk_seconds": round(duration) if duration is not None else None,
        "end_unanswered_status": cdr.final_status(False, cause),
        "end_cause": cause[:255],
        "ended_by": str(payload.get("endedBy") or "")[:64],
    }


def event_row(*, status: str, timestamp_ms: int, payload: dict) -> dict:
    """The merged and user-visible fields of a call that had only this event."""
    at_us = timestamp_ms * 1000
    key = cdr.event_key(status, timestamp_ms, payload)
    offered = cdr.parties(payload)
    if status == cdr.ENDED:
        offered.update(_ended(payload, at_us))
    row: dict = {"first_us": at_us, **{column: None for column in TIMES.values()}}
    if status in TIMES:
        row[TIMES[status]] = at_us
    for field, its_key in KEYED.items():
        if field in offered:
            row[field], row[its_key] = offered[field], key
        else:
            default = CallRecord._meta.get_field(field).get_default()  # type: ignore[union-attr]
            row[field] = (
                str(default) if isinstance(default, str) else default
            )  # a choice: its value
            row.setdefault(its_key, "")
    single = cdr.derive([cdr.Event(status, timestamp_ms, payload)])
    return {**row, **{name: single[name] for name in DERIVED}}


def upsert(
    *, project_id: int, call_id: str, status: str, timestamp_ms: int, payload: dict, now: datetime
) -> tuple[str, list]:
    """The statement folding this event into its call's record, and its parameters. It returns
    one row, one column: true when it created the record (its `created_at` is this `now`)."""
    ops = connection.ops
    stamp = ops.adapt_datetimefield_value(now)
    row = event_row(status=status, timestamp_ms=timestamp_ms, payload=payload)
    row.update(project=project_id, call_id=call_id, created_at=stamp, updated_at=stamp)
    row.update({name: ops.adapt_datetimefield_value(row[name]) for name in DERIVED[:3]})
    row["recording_url"] = ""
    row["is_test"] = is_test_call_id(call_id)  # fixed by the id: set once, never merged
    numbers = candidate_numbers(payload)[:MAX_CANDIDATES]
    candidates = numbers + [None] * (MAX_CANDIDATES - len(numbers))
    return upsert_sql(connection.vendor), [
        *(row[name] for name in INSERTED),
        project_id,
        *candidates,
        stamp,
    ]
