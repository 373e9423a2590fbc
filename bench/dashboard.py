"""Time the dashboard's server work for a tenant with a million calls: `python -m bench.dashboard`.

Builds its own database (a SQLite file by default; `--database-url postgres://…/<name>` drops
and creates database <name> on that server unless `--reuse`), loads one tenant with `--calls`
records over `--days` days plus a second tenant with a tenth as many, whose calls must not
count. Then, for today, 7 and 30 days, as the big tenant's owner and as a superuser looking at
all tenants, it times `calls.dashboard.dashboard_figures` (every query of the page) and the
whole admin page (`GET /admin/`, template included) in three states, `--runs` times each:

- first view: no daily rollups stored yet (the view counts the finished days and stores them);
- a day's first view: all stored but the day that became final last midnight, and cache empty;
- rollups stored, cache empty;
- warm: the same request again.

Last, it times `manage.py rollup_calls` counting the big tenant's last 30 days again.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta

STATES = (
    "first view (no rollups)",
    "a day's first view",
    "rollups stored, cache empty",
    "warm",
)


def _setup(database_url: str) -> None:
    os.environ.update(DATABASE_URL=database_url, DEBUG="false", ALLOWED_HOSTS="testserver")
    os.environ.setdefault("SECRET_KEY", "bench-dashboard-" + "x" * 40)
    os.environ.setdefault("DB_STATEMENT_TIMEOUT_MS", "0")  # loading a million rows takes longer
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()


def _rows(project_id: int, numbers: list[int], count: int, days: int, seed: int):
    from django.db import connection
    from django.utils import timezone

    adapt = connection.ops.adapt_datetimefield_value
    rng = random.Random(seed)
    now = timezone.now()
    statuses = (
        ["answered"] * 64 + ["no_answer"] * 12 + ["cancelled"] * 8 + ["busy"] * 9 + ["failed"] * 7
    )
    directions = ["phone_to_app", "app_to_phone", "app_to_app", "phone_to_phone"]
    stamp = adapt(now)
    for index in range(count):
        started = now - timedelta(seconds=rng.random() * days * 86400)
        status = rng.choice(statuses)
        direction = rng.choice(directions)
        ring = rng.randint(0, 30)
        talk = rng.randint(10, 900) if status == "answered" else 0
        app = direction.startswith("app")
        yield (
            project_id,
            f"bench-{project_id}-{index:08d}",
            direction,
            "" if app else "+84901234567",
            "+84909876543",
            f"agent_{rng.randint(1, 200)}" if app else "",
            f"agent_{rng.randint(1, 200)}" if direction.endswith("app") else "",
            rng.choice(numbers) if not app else None,
            adapt(started),
            adapt(started + timedelta(seconds=ring)) if status == "answered" else None,
            adapt(started + timedelta(seconds=ring + talk)),
            ring,
            talk,
            status,
            *("", "", ""),  # end cause, ended by, recording url
            stamp,
            stamp,
            *("",) * 7,  # the fold's keys (calls.fold), empty as for an imported record
        )


FIELDS = [
    *("project", "call_id", "direction", "from_number", "to_number", "from_user", "to_user"),
    *("virtual_number", "started_at", "answered_at", "ended_at", "ring_seconds", "talk_seconds"),
    *("status", "end_cause", "ended_by", "recording_url", "created_at", "updated_at"),
    *("end_key", "end_unanswered_status", "from_number_key", "to_number_key"),
    *("from_user_key", "to_user_key", "direction_key"),
]


def load(calls: int, days: int) -> tuple:
    """The tenant (with an owner) holding `calls` records, another tenant with a tenth as many,
    and a superuser."""
    from django.contrib.auth.models import User

    from bench.datagen import copy_rows
    from calls.models import CallRecord
    from portal.models import Membership, Project, VirtualNumber
    from portal.tests.factories import MembershipFactory, ProjectFactory

    projects = []
    for name, count, first in (("Big tenant", calls, 0), ("Other tenant", calls // 10, 500)):
        project = ProjectFactory(name=name)
        numbers = [
            VirtualNumber.objects.create(
                project=project, status="assigned", number=f"+8489910{first + i:04d}"
            ).pk
            for i in range(20)
        ]
        copy_rows(CallRecord, FIELDS, _rows(project.pk, numbers, count, days, seed=count), count)
        projects.append(project)
    owner = MembershipFactory(project=projects[0], role=Membership.Role.OWNER).user
    User.objects.create_superuser("bench-admin", "admin@example.com", "bench-admin")
    assert Project.objects.count() == 2
    return projects[0], owner


def _forget_rollups() -> None:
    from calls.models import DailyAppUserCount, DailyCallCount, RollupSpan

    for model in (DailyCallCount, DailyAppUserCount, RollupSpan):
        model.objects.all().delete()


def _forget_last_day() -> None:
    """Unstore each span's last day, as if it had become final at the last midnight."""
    from django.db.models import F

    from calls.models import DailyAppUserCount, DailyCallCount, RollupSpan

    for span in RollupSpan.objects.all():
        for model in (DailyCallCount, DailyAppUserCount):
            model.objects.filter(
                project=span.project_id, time_zone=span.time_zone, day=span.last_day
            ).delete()
    RollupSpan.objects.update(last_day=F("last_day") - timedelta(days=1))


def _settle_rollups() -> None:
    """VACUUM ANALYZE the rollup tables, as autovacuum would in a running portal (this machine's
    PostgreSQL runs without it): the first-view runs leave their deleted rows behind."""
    from django.db import connection

    from calls.models import DailyAppUserCount, DailyCallCount, RollupSpan

    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block  # (tests)
    with connection.cursor() as cursor:
        for model in (DailyCallCount, DailyAppUserCount, RollupSpan):
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"{'VACUUM ANALYZE' if vacuum else 'ANALYZE'} {table}")


def _time(function: Callable[[], object], runs: int, prepare: Callable[[], None]) -> list[float]:
    """Milliseconds of each run of `function`, each after `prepare` (not timed)."""
    times = []
    for _ in range(runs):
        prepare()
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return times


def _summary(times: list[float]) -> str:
    return f"median {statistics.median(times):7.1f} ms (max {max(times):7.1f})"


def measure(project, owner, superuser, runs: int) -> None:
    """Print the three states' times for each period, as the owner and as a superuser."""
    from django.core.cache import cache
    from django.test import Client

    from calls.dashboard import dashboard_figures
    from portal.devtools.second_factor import mark_verified

    def first_view() -> None:
        _forget_rollups()
        cache.clear()

    def new_day() -> None:
        _forget_last_day()
        cache.clear()

    prepare = dict(zip(STATES, (first_view, new_day, cache.clear, lambda: None), strict=True))
    for days in (1, 7, 30):
        figures = dashboard_figures(user=owner, project=project, period_days=days)
        print(f"period {days:>2} d: {figures.period_calls:>9,} calls of {project.name}")
        for who, user, scope in (
            ("owner", owner, project),
            ("superuser, all tenants", superuser, None),
        ):
            client = Client()
            client.force_login(user)
            mark_verified(client, user)  # as after the password and the code
            client.get("/admin/")  # a session's first page remembers the staff time zone

            def figures_of(user=user, scope=scope, days=days) -> None:
                dashboard_figures(user=user, project=scope, period_days=days)

            def page(client=client, days=days) -> None:
                assert client.get(f"/admin/?days={days}").status_code == 200

            for state in STATES:
                figures_of()  # the state's rollups exist, or are dropped again by `prepare`
                if state != STATES[0]:
                    _settle_rollups()
                figures_ms = _time(figures_of, runs, prepare[state])
                page_ms = _time(page, runs, prepare[state])
                print(
                    f"  {who:<22} {state:<27} dashboard_figures {_summary(figures_ms)};"
                    f" GET /admin/?days={days} {_summary(page_ms)}",
                    flush=True,
                )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=90, help="spread the calls over this many days")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database-url", default="sqlite:////tmp/portal-bench-dashboard.sqlite3")
    parser.add_argument("--reuse", action="store_true", help="time the data a previous run loaded")
    args = parser.parse_args(argv)
    if args.database_url.startswith("sqlite:///") and not args.reuse:
        path = args.database_url.removeprefix("sqlite:///")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
    elif args.database_url.startswith(("postgres://", "postgresql://")) and not args.reuse:
        from bench.services import create_database

        server, name = args.database_url.rsplit("/", 1)
        create_database(server, name)
    _setup(args.database_url)
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection

    from calls.models import CallRecord
    from portal.models import Membership, Project

    call_command("migrate", verbosity=0)
    if args.reuse:
        project = Project.objects.get(name="Big tenant")
        owner = Membership.objects.get(project=project).user
        print(
            f"reusing {CallRecord.objects.filter(project=project).count():,} "
            f"calls of {project.name}"
        )
    else:
        started = time.perf_counter()
        project, owner = load(args.calls, args.days)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.vendor != "postgresql" else "VACUUM ANALYZE")
        took = time.perf_counter() - started
        print(
            f"loaded {args.calls:,} calls (+{args.calls // 10:,} of another tenant) in {took:.0f} s"
        )
    print(f"database: {connection.vendor}; calls over the last {args.days} days; {args.runs} runs")
    measure(project, owner, User.objects.get(username="bench-admin"), args.runs)
    started = time.perf_counter()
    call_command("rollup_calls", "--project", str(project.pk), stdout=io.StringIO())
    print(f"rollup_calls --project {project.pk}: {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
