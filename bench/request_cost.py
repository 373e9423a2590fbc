"""`python -m bench.request_cost`: what one request costs the web worker, without HTTP or load.

Each kind of request is sent to Django's WSGI handler in this process, as gunicorn would send
it (the whole middleware stack, the bench's settings, PostgreSQL and Redis), one after another,
and the process's CPU time and the wall time per request are printed:

- `baseline`: the bench's constant-SCCO Django view (the load runs' reference);
- `baseline_drf`: the same as a DRF view with the webhooks' lean settings;
- `refused`: an event_url POST with a wrong token (the webhook's own checks, nothing stored);
- `answer_url`: a warm answer_url call, phone → app and app → app in turn (routing, the parked
  decision);
- `floor_answer`, `floor_event`: the floors (bench.floors), sent the answer_url's and the
  event_url's requests;
- `room_event`: the event_url's requests as room events: the same checks, then the event stored
  with one INSERT (no call record to fold, no parked decisions to file);
- `event_url`: call events (created, ringing, answered, ended, each call new): the statement
  that stores and folds an event, and the check for parked decisions.

CPU time is the load runs' currency on a machine whose cores are all busy: req/s under load is
about the cores divided by the CPU a request costs the worker, PostgreSQL, Redis and the
kernel. The CPU of the worker (this process), of its PostgreSQL backend (/proc) and of Redis
(INFO cpu) are printed apart; the kernel's share and the load generator's are not counted.
`--profile KIND` prints cProfile's busiest functions for one kind.

A database of its own (`portal_request_cost`, dropped at the end) and Redis database 10.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from collections.abc import Callable

from bench.inprocess import portal_in_process

DATABASE = "portal_request_cost"
KINDS = (
    "baseline",
    "baseline_drf",
    "refused",
    "floor_answer",
    "answer_url",
    "floor_event",
    "room_event",
    "event_url",
)


def _environ(method: str, path: str, query: str = "", body: bytes = b"") -> dict:
    return {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
    }


def _requests(tenant) -> dict[str, Callable[[int], dict]]:
    """For each kind: request number n → its WSGI environ (ids unique per request or call)."""
    from bench.targets import app_call_query, event_body, phone_call_query

    run = time.time_ns() // 1000
    statuses = ("created", "ringing", "answered", "ended")

    def answer(prefix: str) -> Callable[[int], dict]:
        queries = [phone_call_query(tenant), app_call_query(tenant)]

        def build(n: int) -> dict:
            query = queries[n % 2].replace("{run}", str(run)).replace("{n}", str(n))
            return _environ("GET", f"{prefix}/{tenant.stringee_id}/{tenant.token}/", query)

        return build

    def event(token: str, prefix: str = "/event_url", kind: str = "") -> Callable[[int], dict]:
        def build(n: int) -> dict:
            body = event_body(tenant, statuses[n % 4]).replace("{run}", str(run))
            if kind:
                body = body.replace('"type":"stringee_call"', f'"type":"{kind}"')
            text = body.replace("{c}", str(n // 4)).replace("{t}", str(1_700_000_000_000 + n))
            path = f"{prefix}/{tenant.stringee_id}/{token}/"
            return _environ("POST", path, body=text.encode())

        return build

    return {
        "baseline": answer("/bench/baseline"),
        "baseline_drf": answer("/bench/baseline-drf"),
        "refused": event("not-the-token"),
        "floor_answer": answer("/bench/floor-answer"),
        "answer_url": answer("/answer_url"),
        "floor_event": event(tenant.token, "/bench/floor-event"),
        "room_event": event(tenant.token, kind="stringee_room"),
        "event_url": event(tenant.token),
    }


def _call(app, environ: dict) -> str:
    status: list[str] = []
    chunks = app(environ, lambda s, headers, exc_info=None: status.append(s))
    b"".join(chunks)
    getattr(chunks, "close", lambda: None)()
    return status[0]


def _backend_cpu() -> float:
    """CPU seconds so far of this process's PostgreSQL backend (its /proc entry; this machine's
    server), or 0.0 when it cannot be read."""
    from django.db import connection

    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _redis_cpu() -> float:
    """CPU seconds so far of the Redis server (INFO cpu)."""
    from django_redis import get_redis_connection

    info = get_redis_connection("default").info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def _measure(app, build: Callable[[int], dict], count: int, offset: int) -> tuple[float, ...]:
    """Median wall time, then the mean CPU time per request of this process, of its PostgreSQL
    backend and of Redis, in ms. The webhooks' access lines are written, as under load, but to
    /dev/null."""
    walls = []
    saved, null = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 2)
    try:
        database, redis = _backend_cpu(), _redis_cpu()
        cpu = time.process_time()
        for n in range(offset, offset + count):
            environ = build(n)
            started = time.perf_counter()
            _call(app, environ)
            walls.append(time.perf_counter() - started)
        cpu = time.process_time() - cpu
        database, redis = _backend_cpu() - database, _redis_cpu() - redis
    finally:
        os.dup2(saved, 2)
        os.close(null)
        os.close(saved)
    per = 1000 / count
    return statistics.median(walls) * 1000, cpu * per, database * per, redis * per


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=3000, help="per kind and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", choices=KINDS, help="print cProfile's busiest functions")
    options = parser.parse_args(argv)

    with portal_in_process(DATABASE, 10, "request-cost") as (tenant, app):
        from bench.floors import ensure_floor_table

        ensure_floor_table()
        builds = _requests(tenant)
        for build in builds.values():  # warm: caches, prepared statements, imports
            _measure(app, build, 200, 10_000_000)
        print(
            "| round | kind | worker CPU, ms | PostgreSQL CPU, ms | Redis CPU, ms"
            " | all three, ms | wall p50, ms |\n|---|---|---|---|---|---|---|"
        )
        for round_ in range(options.rounds):
            for kind in KINDS:
                wall, cpu, database, redis = _measure(
                    app, builds[kind], options.requests, round_ * 1_000_000
                )
                print(
                    f"| {round_ + 1} | {kind} | {cpu:.3f} | {database:.3f} | {redis:.3f}"
                    f" | {cpu + database + redis:.3f} | {wall:.3f} |",
                    flush=True,
                )
        if options.profile:
            profile = cProfile.Profile()
            profile.enable()
            _measure(app, builds[options.profile], options.requests, 50_000_000)
            profile.disable()
            pstats.Stats(profile, stream=sys.stdout).sort_stats("tottime").print_stats(30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
