"""Daily rollups: each finished local day of a project's calls, counted once and stored.

The dashboard reads a few rows per finished day from here instead of that day's call records.
A day is a local day in one time zone (the project's; the portal's for "all tenants"), midnight
to midnight. It is *final* once the day after it is over too: today and yesterday are always
counted live from the records, because calls still ending and late events change them.

Rows are written only here: on a dashboard's first need of a day (`rollups_fill`), by
`manage.py rollup_calls` (`rollups_recount`, e.g. after an import) and by `prune_calls`
(`rollups_forget`). Nothing on the event path writes them. See docs/admin.md.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import DatabaseError, transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from calls.models import CallRecord, DailyAppUserCount, DailyCallCount, RollupSpan
from portal.models import Project

logger = logging.getLogger(__name__)

LIVE_DAYS = 2  # today and yesterday: counted live from the records, never stored
GROUP_FIELDS = ("status", "direction", "virtual_number_id")
ATTEMPTS = 3  # a fill that met another one storing the same days looks again


def last_final_day(today: date) -> date:
    """The latest local day that is final when it is `today` (the day before yesterday)."""
    return today - timedelta(days=LIVE_DAYS)


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """Local midnight starting `day` (DST-safe: computed per day, not by adding 24 hours)."""
    return datetime.combine(day, time(0), tzinfo=zone)


def count_calls(calls: QuerySet, *by: str, **extra) -> tuple[list[dict], dict[tuple, int]]:
    """The grouped figures of `calls`, one query per part, read on the covering index.

    Groups by status, direction and number (and `by`): calls `n`, ring and talk seconds with
    the number of calls having each (`ring`, `ring_n`, `talk`, `talk_n`), and `extra`
    aggregates. App users: calls made or received, keyed by (*by values, user id), from one
    query grouped by caller and callee. Calls are
    counted with `COUNT(*)`: the id is not in PostgreSQL's index, and counting it would fetch
    every row from the table.
    """
    groups = [
        {**row, "ring": row["ring"] or 0, "talk": row["talk"] or 0}
        for row in calls.values(*by, *GROUP_FIELDS).annotate(
            n=Count("*"),
            ring=Sum("ring_seconds"),
            ring_n=Count("ring_seconds"),
            talk=Sum("talk_seconds"),
            talk_n=Count("talk_seconds"),
            **extra,
        )
    ]
    users: dict[tuple, int] = {}
    for row in calls.values(*by, "from_user", "to_user").annotate(n=Count("*")):
        for side in ("from_user", "to_user"):  # a call counts for its caller and its callee
            if row[side]:
                key = (*(row[name] for name in by), row[side])
                users[key] = users.get(key, 0) + row["n"]
    return groups, users


# Reading (the dashboard passes querysets already scoped to the caller's projects)


def rollup_groups(
    counts: QuerySet[DailyCallCount], first: date, last: date, *, since: dict[str, date]
) -> tuple[list[dict], dict[str, int]]:
    """The stored days' groups summed over `first` to `last`, shaped as `count_calls` gives them
    (groups without a call in that span left out), and, in the same query, the calls of the
    stored days from each of `since`'s days on (e.g. {"7 days": …, "30 days": …})."""
    earliest = min([first, *since.values()])
    in_span = Q(day__gte=first, day__lte=last)
    rows = (
        counts.filter(day__gte=earliest, day__lte=last)
        .values(*GROUP_FIELDS)
        .annotate(
            n=Sum("calls", filter=in_span, default=0),
            ring=Sum("ring_seconds", filter=in_span, default=0),
            ring_n=Sum("ring_calls", filter=in_span, default=0),
            talk=Sum("talk_seconds", filter=in_span, default=0),
            talk_n=Sum("talk_calls", filter=in_span, default=0),
            **{
                f"since_{n}": Sum("calls", filter=Q(day__gte=day), default=0)
                for n, day in enumerate(since.values())
            },
        )
    )
    groups, totals = [], dict.fromkeys(since, 0)
    for row in rows:
        for n, name in enumerate(since):
            totals[name] += row.pop(f"since_{n}")
        if row["n"]:
            groups.append(row)
    return groups, totals


def rollup_users(users: QuerySet[DailyAppUserCount], first: date, last: date) -> dict[str, int]:
    """Calls per app user over the stored days from `first` to `last`."""
    rows = users.filter(day__gte=first, day__lte=last).values("user_id").annotate(n=Sum("calls"))
    return {row["user_id"]: row["n"] for row in rows}


# Writing


@dataclass
class _Day:
    groups: list[dict] = field(default_factory=list)
    users: dict[str, int] = field(default_factory=dict)


def _dates(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _span_days(span: RollupSpan | None) -> set[date]:
    return set() if span is None else set(_dates(span.first_day, span.last_day))


def _apart(span: RollupSpan | None, first: date, last: date) -> bool:
    """Whether `span` neither overlaps nor touches `first`..`last`: its days are then dropped
    and the wanted ones counted afresh, rather than every day in between (a dashboard not
    opened for a year, a project back in a time zone it left long ago)."""
    one = timedelta(days=1)
    return span is not None and (span.last_day < first - one or span.first_day > last + one)


def _to_count(span: RollupSpan | None, first: date, last: date, recount: bool) -> set[date]:
    """The days to count so that the span covers `first`..`last` without a hole (and, to
    recount, those days again)."""
    if _apart(span, first, last):
        span = None
    stored = _span_days(span)
    hull = _dates(
        min([first, *([span.first_day] if span else [])]),
        max([last, *([span.last_day] if span else [])]),
    )
    return set(hull) - stored | (set(_dates(first, last)) if recount else set())


def _count(project_ids: list[int], zone: ZoneInfo, day: date) -> dict[int, _Day]:
    """One local day of each project's calls, counted from the records."""
    calls = CallRecord.objects.filter(
        project_id__in=project_ids,
        started_at__gte=day_start(day, zone),
        started_at__lt=day_start(day + timedelta(days=1), zone),
        is_test=False,  # test calls (calls.emulator) are never counted
    ).order_by()
    groups, users = count_calls(calls, "project_id")
    days = {pid: _Day() for pid in project_ids}
    for group in groups:
        days[group.pop("project_id")].groups.append(group)
    for (pid, user), n in users.items():
        days[pid].users[user] = n
    return days


def _rows(pid: int, time_zone: str, days: dict[date, _Day]) -> tuple[list, list]:
    """The rows that store `days` of project `pid`."""
    counts, users = [], []
    for day, figures in sorted(days.items()):
        counts += [
            DailyCallCount(
                project_id=pid,
                time_zone=time_zone,
                day=day,
                status=group["status"],
                direction=group["direction"],
                virtual_number_id=group["virtual_number_id"],
                calls=group["n"],
                ring_seconds=group["ring"],
                ring_calls=group["ring_n"],
                talk_seconds=group["talk"],
                talk_calls=group["talk_n"],
            )
            for group in figures.groups
        ]
        users += [
            DailyAppUserCount(project_id=pid, time_zone=time_zone, day=day, user_id=user, calls=n)
            for user, n in figures.users.items()
        ]
    return counts, users


def _store(time_zone: str, counted: dict[int, dict[date, _Day]], recount: bool) -> None:
    """Store the counted days in one transaction, each project's span growing without a hole.

    The spans are locked first (an UPDATE: row locks on PostgreSQL, the write lock on SQLite),
    then read again: days another fill stored meanwhile are not stored twice. Two first fills
    of one project meet at the span's unique constraint, and the later one rolls back whole.
    """
    ids = list(counted)
    with transaction.atomic():
        spans = RollupSpan.objects.filter(project_id__in=ids, time_zone=time_zone)
        spans.update(counted_at=timezone.now())
        current = {span.project_id: span for span in spans}
        new, grown, counts, users = [], [], [], []
        for pid, days in counted.items():
            span = current.get(pid)
            afresh = _apart(span, min(days), max(days))
            stored = set() if afresh else _span_days(span)
            covered = stored | set(days)
            first, last = min(covered), max(covered)
            write = set(days) if recount else set(days) - stored
            if not write or len(covered) != (last - first).days + 1:
                continue  # nothing new, or the span changed meanwhile and would get a hole
            if afresh or recount:
                for model in (DailyCallCount, DailyAppUserCount):
                    gone = model.objects.filter(project_id=pid, time_zone=time_zone)
                    (gone if afresh else gone.filter(day__in=write)).delete()
            rows = _rows(pid, time_zone, {day: days[day] for day in write})
            counts += rows[0]
            users += rows[1]
            if span is None:
                new.append(
                    RollupSpan(project_id=pid, time_zone=time_zone, first_day=first, last_day=last)
                )
            else:
                span.first_day, span.last_day = first, last
                grown.append(span)
        RollupSpan.objects.bulk_create(new)
        RollupSpan.objects.bulk_update(grown, ["first_day", "last_day"], batch_size=500)
        DailyCallCount.objects.bulk_create(counts, batch_size=1000)
        DailyAppUserCount.objects.bulk_create(users, batch_size=1000)


def _count_and_store(
    project_ids: Iterable[int], time_zone: str, first: date, last: date, recount: bool
) -> None:
    ids = list(project_ids)
    zone = ZoneInfo(time_zone)
    spans = {
        span.project_id: span
        for span in RollupSpan.objects.filter(project_id__in=ids, time_zone=time_zone)
    }
    wanted: dict[date, list[int]] = {}
    for pid in ids:
        for day in _to_count(spans.get(pid), first, last, recount):
            wanted.setdefault(day, []).append(pid)
    counted: dict[int, dict[date, _Day]] = {pid: {} for pid in ids}
    for day, pids in sorted(wanted.items()):
        for pid, figures in _count(pids, zone, day).items():
            counted[pid][day] = figures
    _store(time_zone, {pid: days for pid, days in counted.items() if days}, recount)


def rollups_fill(
    *, projects: QuerySet[Project], time_zone: str, first: date, last: date, now: datetime
) -> None:
    """Count and store what the projects' rollups in `time_zone` lack of `first`..`last`.

    Only final days are stored (`last` is cut to the last final day at `now`). One query when
    nothing is missing; otherwise two grouped queries per missing day and one transaction.
    """
    last = min(last, last_final_day(now.astimezone(ZoneInfo(time_zone)).date()))
    if first > last:
        return
    covering = RollupSpan.objects.filter(
        time_zone=time_zone, first_day__lte=first, last_day__gte=last
    ).values("project_id")
    for attempt in range(1, ATTEMPTS + 1):
        missing = list(projects.exclude(pk__in=covering).values_list("pk", flat=True))
        if not missing:
            return
        try:
            return _count_and_store(missing, time_zone, first, last, recount=False)
        except DatabaseError:  # another fill stored (some of) these days at the same moment
            if attempt == ATTEMPTS:
                logger.warning("dashboard rollups of %s not stored", time_zone, exc_info=True)


def rollups_recount(*, project: Project, time_zone: str, first: date, last: date) -> list[date]:
    """Count `first`..`last` of `project` in `time_zone` again from the records and replace what
    was stored (days before it up to the stored ones are counted too); the days counted."""
    last = min(last, last_final_day(timezone.now().astimezone(ZoneInfo(time_zone)).date()))
    if first > last:
        return []
    span = RollupSpan.objects.filter(project=project, time_zone=time_zone).first()
    days = sorted(_to_count(span, first, last, recount=True))
    _count_and_store([project.pk], time_zone, first, last, recount=True)
    return days


def rollups_forget(*, project: Project, before: datetime) -> int:
    """Drop `project`'s rollups of every local day that starts before `before` (in each time
    zone it has rollups in): the days whose records a prune at `before` may have deleted.
    They are counted again from the remaining records if the dashboard needs them. Returns the
    number of (time zone, day) pairs dropped."""
    dropped = 0
    for span in RollupSpan.objects.filter(project=project):
        last_gone = before.astimezone(ZoneInfo(span.time_zone)).date()
        if last_gone < span.first_day:
            continue
        with transaction.atomic():
            for model in (DailyCallCount, DailyAppUserCount):
                model.objects.filter(
                    project=project, time_zone=span.time_zone, day__lte=last_gone
                ).delete()
            dropped += (min(last_gone, span.last_day) - span.first_day).days + 1
            if last_gone >= span.last_day:
                span.delete()
            else:
                span.first_day = last_gone + timedelta(days=1)
                span.save(update_fields=["first_day", "counted_at"])
    return dropped


def rollup_time_zones(project: Project) -> list[str]:
    """The time zones `project`'s calls are counted in: its own and any it has rollups in (the
    portal's, for the "all tenants" dashboard; a zone it had before)."""
    stored = RollupSpan.objects.filter(project=project).values_list("time_zone", flat=True)
    return sorted({project.time_zone, *stored})
