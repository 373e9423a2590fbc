"""Time the dashboard's server work for a tenant with a million calls: `python -m bench.dashboard`.

Builds its own database (SQLite file by default, or `--database-url postgres://…`), loads one
tenant with `--calls` records over `--days` days plus a second tenant whose calls must not
count, then times `calls.dashboard.dashboard_figures` (every query of the page) and the whole
admin page (`GET /admin/`, template included), with a cold cache (every day aggregated again)
and a warm one (past days cached, today counted live), several runs each.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta


def _setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
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
            "",
            "",
            "[]",
            "",
            stamp,
            stamp,
        )


FIELDS = [
    *("project", "call_id", "direction", "from_number", "to_number", "from_user", "to_user"),
    *("virtual_number", "started_at", "answered_at", "ended_at", "ring_seconds", "talk_seconds"),
    *("status", "end_cause", "ended_by", "routing", "recording_url", "created_at", "updated_at"),
]


def load(calls: int, days: int) -> tuple:
    """The tenant (with an owner) holding `calls` records, and another tenant with a tenth as
    many."""
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
    assert Project.objects.count() == 2
    return projects[0], owner


def _time(function, runs: int, cold: bool) -> list[float]:
    """Milliseconds of each run; `cold` empties the cache first (no cached day aggregates)."""
    from django.core.cache import cache

    times = []
    for _ in range(runs):
        if cold:
            cache.clear()
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return times


def _summary(times: list[float]) -> str:
    return f"median {statistics.median(times):6.1f} ms (max {max(times):6.1f})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
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
    _setup(args.database_url)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from calls.dashboard import dashboard_figures
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
    print(f"database: {connection.vendor}; calls over the last {args.days} days")
    client = Client()
    client.force_login(owner)
    for days in (1, 7, 30):
        figures = dashboard_figures(user=owner, project=project, period_days=days)
        print(f"period {days:>2} d: {figures.period_calls:>7,} calls")
        for cold in (True, False):
            figures_ms = _time(
                lambda d=days: dashboard_figures(user=owner, project=project, period_days=d),
                args.runs,
                cold,
            )
            page_ms = _time(lambda d=days: client.get(f"/admin/?days={d}"), args.runs, cold)
            print(
                f"  {'cold' if cold else 'warm'} cache: dashboard_figures {_summary(figures_ms)};"
                f" GET /admin/?days={days} {_summary(page_ms)}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
