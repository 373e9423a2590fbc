"""`python -m bench.changelists`: server time of the admin's biggest lists on PostgreSQL.

A database of its own on the machine's PostgreSQL (dropped and made again unless `--reuse`),
grown to the bench's large size (1,000,000 numbers, 50,000 app users, 100,000 rules over 10,000
tenants) and `--events` call events (10,000,000 by default, spread over ten tenants). Each list
is fetched in-process through Django's test client, once to warm up, then `--runs` times; the
median time and the SQL queries of one request are printed, for a superuser and for the owner of
one of the ten busy tenants.

The events were received over the last `EVENT_DAYS` days, so that with `--prune` about half of
them are past the default retention (180 days): `prune_calls` then runs on that database and
the bench prints how long it took, how many rows it deleted and its longest batch (each batch
is one short transaction: the longest a delete holds its row locks), then times the lists again.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

SERVER = "postgres://postgres@127.0.0.1:5432"
EVENT_DAYS = 360
PAGES = [
    ("numbers", "/admin/portal/virtualnumber/"),
    ("numbers, searched", "/admin/portal/virtualnumber/?q=0901"),
    ("call events", "/admin/calls/callevent/"),
    ("call events, one status", "/admin/calls/callevent/?status=answered"),
    ("call records", "/admin/calls/callrecord/"),
]


def _events(count: int, project_pks: list[int], chunk: int = 1_000_000) -> None:
    """`count` call events over `project_pks`, received over the last EVENT_DAYS days, inserted
    a million at a time (each one statement)."""
    from django.db import connection

    tenants = "ARRAY[" + ",".join(str(pk) for pk in project_pks) + "]::bigint[]"
    with connection.cursor() as cursor:
        for first in range(1, count + 1, chunk):
            cursor.execute(
                "INSERT INTO calls_callevent (project_id, call_id, status, type, timestamp_ms,"
                " occurred_at, received_at, event_id, serial, payload)"
                f" SELECT ({tenants})[1 + g %% {len(project_pks)}], 'bench-' || (g / 4),"
                " (ARRAY['created','ringing','answered','ended'])[1 + g %% 4], 'stringee_call',"
                " 1700000000000 + g::bigint * 1000, to_timestamp(1700000000 + g),"
                f" now() - (g %% {EVENT_DAYS}) * INTERVAL '1 day'"
                " - (g %% 86400) * INTERVAL '1 second',"
                " 'e' || g, g, '{}'::jsonb FROM generate_series(%s, %s) AS g",
                [first, min(first + chunk - 1, count)],
            )
            print(f"  {min(first + chunk - 1, count):,} events", flush=True)
        cursor.execute("ANALYZE calls_callevent")


class _Batches:
    """The stdout of `prune_calls`: the time of each progress line (one per deleted batch)."""

    def __init__(self) -> None:
        self.times = [time.perf_counter()]
        self.lines = 0

    def write(self, text: str) -> None:
        if "deleted so far" in text:
            self.times.append(time.perf_counter())
        self.lines += 1

    def flush(self) -> None:
        pass


def _prune() -> None:
    from django.core.management import call_command

    from calls.models import CallEvent

    before = CallEvent.objects.count()
    batches = _Batches()
    started = time.perf_counter()
    call_command("prune_calls", stdout=batches)
    seconds = time.perf_counter() - started
    gaps = sorted(b - a for a, b in zip(batches.times, batches.times[1:], strict=False))
    after = CallEvent.objects.count()
    print(
        f"prune_calls: {before - after:,} of {before:,} events deleted in {seconds:,.0f} s,"
        f" {len(gaps):,} batches, longest {gaps[-1] * 1000:,.0f} ms,"
        f" p99 {gaps[int(len(gaps) * 0.99)] * 1000:,.0f} ms, median"
        f" {statistics.median(gaps) * 1000:,.0f} ms per batch"
        if gaps
        else "prune_calls: nothing",
        flush=True,
    )


def _owner_of(project):
    from django.contrib.auth.models import User

    from portal.models import Membership

    owner, _ = User.objects.get_or_create(username="bench-owner", defaults={"is_staff": True})
    Membership.objects.get_or_create(user=owner, project=project, defaults={"role": "owner"})
    return owner


def _time(client, path: str, runs: int) -> tuple[float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    return statistics.median(times), len(queries), response.status_code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="portal_changelists")
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="Keep the data of an earlier run.")
    parser.add_argument(
        "--prune", action="store_true", help="Then run prune_calls, and time the lists again."
    )
    options = parser.parse_args(argv)

    from bench.services import create_database

    url = f"{SERVER}/{options.database}"
    if not options.reuse:
        create_database(SERVER, options.database)
    # The bench's own database: no time limit on its statements (inserting millions of rows).
    os.environ.update(
        DATABASE_URL=url, DEBUG="false", ALLOWED_HOSTS="testserver", DB_STATEMENT_TIMEOUT_MS="0"
    )
    os.environ.setdefault("SECRET_KEY", "bench-changelists-" + "x" * 40)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client

    from bench import datagen
    from calls.models import CallEvent
    from portal.devtools.second_factor import mark_verified
    from portal.models import Project

    if not options.reuse:
        call_command("migrate", "--noinput", verbosity=0)
        print("growing the database to the bench's large size…", flush=True)
        datagen.grow_to(datagen.LARGE, compile_routing=False)
        busy = datagen.bench_project_pks()[:10]
        print(f"adding {options.events:,} call events…", flush=True)
        started = time.perf_counter()
        _events(options.events, busy)
        print(f"  {time.perf_counter() - started:.0f} s", flush=True)
        cache.clear()
    busy_project = Project.objects.get(pk=datagen.bench_project_pks()[0])
    print(
        f"{datagen.counts()['numbers']:,} numbers, {CallEvent.objects.count():,} call events; "
        f"tenant {busy_project} holds {busy_project.numbers.count():,} numbers",
        flush=True,
    )
    superuser, _ = User.objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    owner = _owner_of(busy_project)
    for round_ in ("before prune", "after prune") if options.prune else ("",):
        if round_ == "after prune":
            _prune()
        print(f"{round_}\n| list | who | median | queries | status |\n|---|---|---|---|---|")
        for who, user in (("superuser", superuser), ("tenant owner", owner)):
            client = Client()
            client.force_login(user)
            mark_verified(client, user)  # as after the password and the code
            for label, path in PAGES:
                median, queries, status = _time(client, path, options.runs)
                print(f"| {label} | {who} | {median:,.0f} ms | {queries} | {status} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
