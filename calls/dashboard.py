"""The dashboard's figures for one tenant (or all of a staff user's): aggregate queries on indexes.

Finished days are read from the daily rollups (calls.rollups), a few rows per day; today and
yesterday are counted live on the (project, started_at, …) covering index of call records.
Everything is scoped through portal.tenancy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from calls.models import CallRecord, DailyAppUserCount, DailyCallCount
from calls.rollups import (
    count_calls,
    day_start,
    last_final_day,
    rollup_groups,
    rollup_users,
    rollups_fill,
)
from portal.models import AppUser, Membership, Project, VirtualNumber
from portal.ops.webhook_health import Latency, latency_summary
from portal.tenancy.policy import project_ids_for, projects_for, scope_to_projects, scope_to_user
from routing.models import RoutingErrorLog
from routing.state import calls_refused_past_ceiling

PERIODS = {
    1: gettext_lazy("Today"),
    7: gettext_lazy("Last 7 days"),
    30: gettext_lazy("Last 30 days"),
}
DEFAULT_PERIOD = 7
TOP = 5
LISTED_PROJECTS = 1000  # "all tenants" up to this many: records read per project (see _records)
IN_PROGRESS_HOURS = 12  # a call "in progress" for longer lost its end event: not counted as live
MISSED = (CallRecord.Status.NO_ANSWER, CallRecord.Status.CANCELLED)
Status = CallRecord.Status


@dataclass
class Figures:
    """What the dashboard shows; every list is already sorted for display."""

    project: Project | None
    time_zone: str
    period_days: int
    calls_today: int = 0
    calls_7_days: int = 0
    calls_30_days: int = 0
    period_calls: int = 0
    ended_calls: int = 0
    rates: dict[str, float | None] = field(
        default_factory=dict
    )  # answered, missed, busy, failed (%)
    avg_ring_seconds: float | None = None
    avg_talk_seconds: float | None = None
    in_progress: int = 0
    per_hour: list[dict] = field(
        default_factory=list
    )  # {"label": "14:00", "answered": n, "other": n}
    by_direction: list[tuple[str, int]] = field(default_factory=list)
    by_number: list[tuple[str, int]] = field(default_factory=list)
    busiest_numbers: list[tuple[VirtualNumber | None, int]] = field(default_factory=list)
    busiest_users: list[tuple[str, int]] = field(default_factory=list)
    errors: list[RoutingErrorLog] = field(default_factory=list)
    webhooks: list[Latency] = field(default_factory=list)
    # Calls not sent to a phone number in the last hour because the hourly ceiling was reached.
    refused_past_ceiling: int = 0

    def charts(self) -> dict:
        """The chart data, for `json_script`."""
        return {
            "texts": {
                "answered": gettext("Answered"),
                "not_answered": gettext("Not answered"),
                "calls": gettext("Calls"),
            },
            "per_hour": {
                "labels": [slot["label"] for slot in self.per_hour],
                "answered": [slot["answered"] for slot in self.per_hour],
                "other": [slot["other"] for slot in self.per_hour],
            },
            "by_direction": {
                "labels": [str(label) for label, _ in self.by_direction],
                "counts": [n for _, n in self.by_direction],
            },
            "by_number": {
                "labels": [label for label, _ in self.by_number],
                "counts": [n for _, n in self.by_number],
            },
        }


def dashboard_projects(user) -> QuerySet[Project]:
    """The projects a staff user may pick on the dashboard."""
    return projects_for(user, Membership.Role.values).order_by("name")


def chosen_project(
    user, project_id: str | None, projects: QuerySet[Project] | None = None
) -> Project | None:
    """The project picked by `project_id` among the user's `projects` (dashboard_projects); a user
    with one project gets it. A staff member's projects are read whole, once: the page that lists
    them iterates the same queryset, which keeps them."""
    projects = dashboard_projects(user) if projects is None else projects
    wanted = int(project_id) if project_id and project_id.isdigit() else None
    if user.is_superuser:
        return projects.filter(pk=wanted).first() if wanted is not None else None
    mine = list(projects)
    if wanted is not None:
        return next((project for project in mine if project.pk == wanted), None)
    return mine[0] if len(mine) == 1 else None


def _scoped(queryset: QuerySet, user, project: Project | None) -> QuerySet:
    queryset = scope_to_user(queryset, user)
    return scope_to_projects(queryset, [project.pk]) if project is not None else queryset


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def dashboard_figures(
    *, user, project: Project | None, period_days: int = DEFAULT_PERIOD, now: datetime | None = None
) -> Figures:
    """The figures of `project` (None: every project the user may see) over the last `period_days`.

    Finished days come from the daily rollups (calls.rollups: counted once, on first need, and
    stored); today and yesterday are counted live from the records, on the covering index.
    """
    now = now or timezone.now()
    zone_name = project.time_zone if project else timezone.get_current_timezone_name()
    zone = ZoneInfo(zone_name)
    period_days = period_days if period_days in PERIODS else DEFAULT_PERIOD
    today = now.astimezone(zone).date()
    figures = Figures(project=project, time_zone=zone_name, period_days=period_days)
    records = _records(user, project)

    totals, groups, users = _finished_days(user, project, zone_name, today, period_days, now)
    today_n, yesterday_n, live_groups, live_users = _live_days(
        records, zone, today, now, period_days
    )
    figures.calls_today = today_n
    figures.calls_7_days = today_n + yesterday_n + totals["7 days"]
    figures.calls_30_days = today_n + yesterday_n + totals["30 days"]
    _period(figures, groups + live_groups)
    for name, n in live_users.items():
        users[name] = users.get(name, 0) + n
    figures.per_hour, figures.in_progress = _per_hour(records, now, zone)
    figures.busiest_users = _busiest_users(users, _scoped(AppUser.objects.all(), user, project))
    errors = _scoped(RoutingErrorLog.objects.all(), user, project).select_related("project")
    figures.errors = list(errors.order_by("-created_at")[:8])
    stringee_ids = None
    if project is not None:
        stringee_ids = [project.stringee_project_id]
    elif not user.is_superuser:
        stringee_ids = list(dashboard_projects(user).values_list("stringee_project_id", flat=True))
    figures.webhooks = latency_summary(stringee_ids)
    if project is not None:
        figures.refused_past_ceiling = calls_refused_past_ceiling([project.pk])
    elif not user.is_superuser:
        figures.refused_past_ceiling = calls_refused_past_ceiling(list(project_ids_for(user)))
    return figures


def _records(user, project: Project | None) -> QuerySet[CallRecord]:
    """The call records to count. For all tenants, too, they are read per project on the
    covering index (project, started_at, …) while the projects are few enough to list: the index
    on started_at alone would fetch every row of the period from the table."""
    # Test calls (calls.emulator) are in the call log, never in the figures.
    records = _scoped(CallRecord.objects.filter(is_test=False), user, project).order_by()
    if project is None and user.is_superuser:
        ids = list(Project.objects.values_list("pk", flat=True)[: LISTED_PROJECTS + 1])
        if len(ids) <= LISTED_PROJECTS:
            records = scope_to_projects(records, ids)
    return records


def _finished_days(
    user, project: Project | None, zone_name: str, today: date, period_days: int, now: datetime
) -> tuple[dict[str, int], list[dict], dict[str, int]]:
    """From the rollups (stored first where missing): the calls of the finished days of the last
    7 and 30 days, and the period's grouped figures and calls per app user over its finished
    days."""
    first, last = today - timedelta(days=29), last_final_day(today)
    period_first = today - timedelta(days=period_days - 1)
    projects = _scoped(Project.objects.all(), user, project)
    rollups_fill(projects=projects, time_zone=zone_name, first=first, last=last, now=now)
    counts = _scoped(DailyCallCount.objects.filter(time_zone=zone_name), user, project)
    since = {"7 days": today - timedelta(days=6), "30 days": first}
    groups, totals = rollup_groups(counts, period_first, last, since=since)
    if period_first > last:
        return totals, groups, {}
    users = _scoped(DailyAppUserCount.objects.filter(time_zone=zone_name), user, project)
    return totals, groups, rollup_users(users, period_first, last)


def _live_days(
    records: QuerySet, zone: ZoneInfo, today: date, now: datetime, period_days: int
) -> tuple[int, int, list[dict], dict[str, int]]:
    """Today and yesterday from the records: their calls, and one grouped pass over the part
    of them in the period (its groups and calls per app user)."""
    yesterday_start, today_start = (
        day_start(today - timedelta(days=1), zone),
        day_start(today, zone),
    )
    end = min(day_start(today + timedelta(days=1), zone), now + timedelta(seconds=1))
    groups, users = count_calls(
        records.filter(
            started_at__gte=yesterday_start if period_days > 1 else today_start,
            started_at__lt=end,
        ),
        today=Count("started_at", filter=Q(started_at__gte=today_start)),
    )
    today_n = sum(group["today"] for group in groups)
    if period_days > 1:
        yesterday_n = sum(group["n"] for group in groups) - today_n
    else:
        yesterday_n = records.filter(
            started_at__gte=yesterday_start, started_at__lt=today_start
        ).count()
    return today_n, yesterday_n, groups, {name: n for (name,), n in users.items()}


def _period(figures: Figures, groups: list[dict]) -> None:
    """Rates, averages and the direction and number charts from the period's grouped rows."""
    by_status: dict[str, int] = {}
    by_direction: dict[str, int] = {}
    by_number: dict[int | None, int] = {}
    ring = ring_n = talk = talk_n = 0
    for group in groups:
        status, n = group["status"], group["n"]
        by_status[status] = by_status.get(status, 0) + n
        by_direction[group["direction"]] = by_direction.get(group["direction"], 0) + n
        number = group["virtual_number_id"]
        by_number[number] = by_number.get(number, 0) + n
        ring, ring_n = ring + group["ring"], ring_n + group["ring_n"]
        if status == Status.ANSWERED:
            talk, talk_n = talk + group["talk"], talk_n + group["talk_n"]
    total = sum(by_status.values())
    ended = total - by_status.get(Status.IN_PROGRESS, 0)
    figures.period_calls, figures.ended_calls = total, ended
    figures.rates = {
        "answered": _percent(by_status.get(Status.ANSWERED, 0), ended),
        "missed": _percent(sum(by_status.get(s, 0) for s in MISSED), ended),
        "busy": _percent(by_status.get(Status.BUSY, 0), ended),
        "failed": _percent(by_status.get(Status.FAILED, 0), ended),
    }
    figures.avg_ring_seconds = round(ring / ring_n, 1) if ring_n else None
    figures.avg_talk_seconds = round(talk / talk_n, 1) if talk_n else None
    labels = dict(CallRecord.Direction.choices)
    figures.by_direction = sorted(
        ((str(labels.get(d, d)), n) for d, n in by_direction.items()), key=lambda item: -item[1]
    )
    ranked = sorted(by_number.items(), key=lambda item: (-item[1], item[0] or 0))
    numbers = VirtualNumber.objects.in_bulk([pk for pk, _ in ranked[:10] if pk is not None])
    figures.busiest_numbers = [(numbers.get(pk), n) for pk, n in ranked if pk is not None][:TOP]
    chart = [
        (str(numbers[pk]) if pk in numbers else gettext("No number (app calls)"), n)
        for pk, n in ranked[:10]
    ]
    rest = sum(n for _, n in ranked[10:])
    figures.by_number = chart + ([(gettext("Other numbers"), rest)] if rest else [])


def _per_hour(records: QuerySet, now: datetime, zone: ZoneInfo) -> tuple[list[dict], int]:
    """Calls started in each of the last 24 local hours, answered or not; and the calls in
    progress among those of the last IN_PROGRESS_HOURS (counted by the same query).

    One grouped query on the covering index: each call's hour is found in SQL by comparing its
    start with the hours' ends (a CASE, portable), so no row leaves the database. Truncating
    dates in SQL would run a Python function per row on SQLite; reading the rows here costs
    converting each one's datetime.
    """
    first = now.astimezone(zone).replace(minute=0, second=0, microsecond=0) - timedelta(hours=23)
    hour = Case(
        *(When(started_at__lt=first + timedelta(hours=i + 1), then=Value(i)) for i in range(24)),
        output_field=IntegerField(),
    )
    live_since = now - timedelta(hours=IN_PROGRESS_HOURS)
    rows = (
        records.filter(started_at__gte=min(first, live_since), started_at__lte=now)
        .values("status", hour=hour)
        .annotate(n=Count("*"), live=Count("started_at", filter=Q(started_at__gte=live_since)))
    )
    slots = [{"answered": 0, "other": 0} for _ in range(24)]
    in_progress = 0
    for row in rows:
        if row["status"] == Status.IN_PROGRESS:
            in_progress += row["live"]
        if row["hour"] is not None:
            slots[row["hour"]]["answered" if row["status"] == Status.ANSWERED else "other"] += row[
                "n"
            ]
    labels = [(first + timedelta(hours=i)).astimezone(zone).strftime("%H:00") for i in range(24)]
    return [
        {"label": label, **slot} for label, slot in zip(labels, slots, strict=True)
    ], in_progress


def _busiest_users(users: dict[str, int], app_users: QuerySet) -> list[tuple[str, int]]:
    """App users with the most calls made or received in the period, with their names."""
    ranked = sorted(users.items(), key=lambda item: (-item[1], item[0]))[:TOP]
    names = dict(
        app_users.filter(user_id__in=[u for u, _ in ranked]).values_list("user_id", "display_name")
    )
    return [(f"{names[u]} ({u})" if names.get(u) else u, n) for u, n in ranked]


def dashboard_page(request) -> dict:
    """The admin index page's context: the chosen project's figures and charts, the projects to
    choose from and the periods (the admin site's `dashboard`)."""
    projects = dashboard_projects(request.user)
    project = chosen_project(request.user, request.GET.get("project"), projects)
    try:
        days = int(request.GET.get("days", ""))
    except ValueError:
        days = 0
    figures = dashboard_figures(user=request.user, project=project, period_days=days)
    return {
        "figures": figures,
        "charts": figures.charts(),
        "projects": projects,
        "periods": PERIODS,
    }
