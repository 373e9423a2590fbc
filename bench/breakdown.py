"""`python -m bench.breakdown`: where one warm answer_url and one event spend their time, in µs per
stage.

Requests go to Django's WSGI handler in this process, as in bench.request_cost (the whole
middleware stack, the bench's settings, PostgreSQL and Redis, access lines to /dev/null). The
functions that make up each stage are wrapped by a stopwatch (an instrumenting profiler: a few
hundred nanoseconds per wrapped call, far less than cProfile's cost on every Python call), which
counts each stage's own time: a stage called inside another is taken out of the outer one. What
no stage claims is the WSGI handler, Django's middleware and DRF's dispatch around the view.

The event's commit: on PostgreSQL the event's statement runs in autocommit, so its commit (the
WAL flush the server waits for) is inside the statement's round trip. The events are measured
twice, the second time with `synchronous_commit = off` on the connection; the difference of the
statement's time is the commit's wait.

`--cprofile KIND` also prints cProfile's busiest functions over the same requests, to look inside
a stage. A database of its own (`portal_breakdown`, dropped at the end) and Redis database 11.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import os
import pstats
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from bench.inprocess import portal_in_process
from bench.request_cost import _call, _requests

DATABASE = "portal_breakdown"
OTHER = "WSGI handler, middleware and DRF dispatch"

# (stage, module, attribute path of the function as the caller looks it up). Order = report order.
ANSWER_STAGES = [
    ("project and token (worker's copy)", "routing.webhooks", "route_entry"),
    ("project and token (worker's copy)", "routing.webhooks", "authorize"),
    ("signature mode", "routing.webhooks", "verify_webhook"),
    ("input parsing", "routing.webhooks", "read_query"),
    ("input parsing", "routing.webhooks", "call_from_params"),
    ("routing (rules matched)", "routing.engine", "route"),
    ("SCCO build", "routing.engine.destinations", "build"),
    ("SCCO build", "routing.engine.destinations", "connect_to"),
    ("SCCO check", "routing.webhooks", "validate_scco"),
    ("decision parking (Redis)", "routing.webhooks", "park_decision"),
    ("rendering (JSON)", "portal.webhooks.views", "CompactJSONRenderer.render"),
    ("access log and metrics", "portal.middleware", "log_webhook"),
    ("access log and metrics", "portal.middleware", "observe_webhook"),
    ("access log and metrics", "portal.middleware", "store.record"),
]
EVENT_STAGES = [
    ("project and token (worker's copy)", "calls.webhooks", "project_for_webhook"),
    ("signature mode", "calls.webhooks", "verify_webhook"),
    ("parsing (JSON and checks)", "calls.webhooks", "parse_event"),
    ("the row and the fold's parameters", "calls.ingest", "_event"),
    ("the row and the fold's parameters", "calls.event_store", "upsert"),
    ("the statement (one round trip, commit included)", "calls.event_store", "_run_on_postgresql"),
    ("parked decisions (Redis peek)", "calls.ingest", "parked_decisions"),
    ("parked decisions (Redis peek)", "calls.ingest", "release"),
    ("rendering (JSON)", "portal.webhooks.views", "CompactJSONRenderer.render"),
    ("access log and metrics", "portal.middleware", "log_webhook"),
    ("access log and metrics", "portal.middleware", "observe_webhook"),
    ("access log and metrics", "portal.middleware", "store.record"),
]


class Stopwatch:
    """Own time per stage of the wrapped functions (nested stages are taken out of the outer)."""

    def __init__(self) -> None:
        self.spent: dict[str, int] = defaultdict(int)
        self._stack: list[list] = []  # [stage, ns spent in stages called inside]

    def wrap(self, stage: str, function: Callable) -> Callable:
        def timed(*args, **kwargs):
            frame = [stage, 0]
            self._stack.append(frame)
            started = time.perf_counter_ns()
            try:
                return function(*args, **kwargs)
            finally:
                elapsed = time.perf_counter_ns() - started
                self._stack.pop()
                self.spent[stage] += elapsed - frame[1]
                if self._stack:
                    self._stack[-1][1] += elapsed

        return timed


@contextmanager
def stages_timed(stages: list[tuple[str, str, str]]) -> Iterator[Stopwatch]:
    """Wrap each stage's function where its caller looks it up; unwrap on exit."""
    watch = Stopwatch()
    undo = []
    for stage, module_name, path in stages:
        owner = importlib.import_module(module_name)
        *parents, name = path.split(".")
        for parent in parents:
            owner = getattr(owner, parent)
        original = getattr(owner, name)  # a class's method: the plain function, maybe inherited
        own = name in vars(owner)
        setattr(owner, name, watch.wrap(stage, original))
        undo.append((owner, name, original, own))
    try:
        yield watch
    finally:
        for owner, name, original, own in reversed(undo):
            if own:
                setattr(owner, name, original)
            else:
                delattr(owner, name)


@contextmanager
def _stderr_to_devnull() -> Iterator[None]:
    saved, null = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(null)
        os.close(saved)


def measure(app, build, stages, count: int, offset: int) -> dict[str, list[float]]:
    """µs of each stage (and the whole call, and what no stage claims) in each of `count`
    requests."""
    names = list(dict.fromkeys(stage for stage, _, _ in stages))
    per: dict[str, list[float]] = {name: [] for name in [*names, OTHER, "total"]}
    with stages_timed(stages) as watch, _stderr_to_devnull():
        for n in range(offset, offset + count):
            environ = build(n)
            before = dict(watch.spent)
            started = time.perf_counter_ns()
            status = _call(app, environ)
            total = time.perf_counter_ns() - started
            if not status.startswith("200"):
                raise RuntimeError(f"request {n} answered {status}")
            claimed = 0
            for name in names:
                spent = watch.spent[name] - before.get(name, 0)
                claimed += spent
                per[name].append(spent / 1000)
            per[OTHER].append((total - claimed) / 1000)
            per["total"].append(total / 1000)
    return per


def _rows(rounds: list[dict[str, list[float]]]) -> list[tuple[str, float, float]]:
    """(stage, median µs, mean µs) over every request of every round."""
    return [
        (
            name,
            statistics.median(v for r in rounds for v in r[name]),
            statistics.fmean(v for r in rounds for v in r[name]),
        )
        for name in rounds[0]
    ]


def _table(title: str, rows: list[tuple[str, float, float]]) -> list[str]:
    lines = [f"| {title} | µs, median | µs, mean | share of the mean |", "|---|---|---|---|"]
    total = next(mean for name, _, mean in rows if name == "total")
    for name, median, mean in rows:
        if name == "total":
            lines.append(f"| **whole WSGI call** | **{median:,.1f}** | **{mean:,.1f}** | |")
        else:
            lines.append(f"| {name} | {median:,.1f} | {mean:,.1f} | {mean / total:.0%} |")
    return lines


def _synchronous_commit(on: bool) -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO " + ("on" if on else "off"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="per kind and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cprofile", choices=["answer_url", "event_url"])
    options = parser.parse_args(argv)

    with portal_in_process(DATABASE, 11, "breakdown") as (tenant, app):
        builds = _requests(tenant)
        kinds = {"answer_url": ANSWER_STAGES, "event_url": EVENT_STAGES}
        for kind, stages in kinds.items():  # warm: caches, prepared statements, imports
            measure(app, builds[kind], stages, 300, 90_000_000)
        answers, events, quiet = [], [], []
        for round_ in range(options.rounds):  # interleaved, so that the machine's load is shared
            offset = round_ * 1_000_000
            answers.append(
                measure(app, builds["answer_url"], ANSWER_STAGES, options.requests, offset)
            )
            events.append(measure(app, builds["event_url"], EVENT_STAGES, options.requests, offset))
            _synchronous_commit(False)
            quiet.append(
                measure(app, builds["event_url"], EVENT_STAGES, options.requests, offset + 500_000)
            )
            _synchronous_commit(True)
        statement = "the statement (one round trip, commit included)"
        with_flush = statistics.median(v for r in events for v in r[statement])
        without = statistics.median(v for r in quiet for v in r[statement])
        print(f"{options.rounds} rounds of {options.requests} requests each.\n")
        print("\n".join(_table("answer_url (warm)", _rows(answers))))
        print()
        print("\n".join(_table("event_url", _rows(events))))
        print(
            f"\nThe event's statement, median: {with_flush:,.1f} µs; with synchronous_commit off "
            f"{without:,.1f} µs: the commit's wait is about {with_flush - without:,.1f} µs of it."
        )
        if options.cprofile:
            profile = cProfile.Profile()
            with _stderr_to_devnull():
                profile.enable()
                for n in range(70_000_000, 70_000_000 + options.requests):
                    _call(app, builds[options.cprofile](n))
                profile.disable()
            pstats.Stats(profile, stream=sys.stdout).sort_stats("tottime").print_stats(30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
