"""One bench run: per size, generate data, count queries, serve with gunicorn, drive interleaved
load."""

import importlib.metadata
import itertools
import os
import platform
import sqlite3
import time
from dataclasses import asdict
from pathlib import Path

from django.core.cache import cache, caches
from django.core.management import call_command
from django.db import connection, connections

from bench.datagen import SIZES, SMALL, bench_project_pks, grow_to
from bench.endpoints import landed, stored_events
from bench.floors import ensure_floor_table, stored_floor_events
from bench.load import run_load, wrk_version
from bench.queries import count_queries
from bench.targets import (
    answer_workload,
    baseline_drf_workload,
    baseline_workload,
    event_long_workload,
    event_workload,
    floor_answer_workload,
    floor_event_workload,
    peer_answer_workload,
    sample_tenants,
)
from bench.workload import (
    ANSWER,
    BASELINE,
    BASELINE_DRF,
    EVENT,
    EVENT_LONG,
    FLOOR_ANSWER,
    FLOOR_EVENT,
    PEER_ANSWER,
)
from portal.devtools.stack import GunicornServer

STORING = (EVENT, EVENT_LONG, FLOOR_EVENT)

_WARMUP_CONCURRENCY = 4
# Each worker keeps its own copy of a tenant's routing, and the kernel hands each request to
# either worker: three passes over the answer_url's calls (two per tenant) leave a tenant
# unseen by a given worker with a chance of 1 in 64. The answer_url's passes come last, so its
# copies are the freshest when the measured runs start.
_ANSWER_WARMUP_PASSES = 3


def machine_info(tool: str) -> dict[str, str]:
    """Cores, CPU, memory and the versions of everything on the request path."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in _read("/proc/cpuinfo").splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "?",
    )
    mem_kb = next(
        (
            int(line.split()[1])
            for line in _read("/proc/meminfo").splitlines()
            if line.startswith("MemTotal")
        ),
        0,
    )
    info = {
        "cores": str(os.cpu_count()),
        "CPU": cpu,
        "memory": f"{mem_kb / 1024 / 1024:.0f} GiB",
        "OS": platform.platform(),
        "Python": platform.python_version(),
    }
    for package in ("Django", "gunicorn", "psycopg", "redis"):
        try:
            info[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            info[package] = "not installed"
    info["database"] = _database_version()
    info["cache"] = _cache_version()
    info["load generator"] = wrk_version() if tool == "wrk" else "Python client (bench/load.py)"
    return info


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def _database_version() -> str:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
    if connection.vendor == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}"
    return connection.vendor


def _cache_version() -> str:
    backend = caches["default"]
    try:
        return f"Redis {backend._cache.get_client().info()['redis_version']}"
    except AttributeError:
        return type(backend).__name__


def _settle_stored(before: int, sent: int, limit: float = 15.0, count=stored_events) -> int:
    """Rows stored since `before`, once requests still in the server have finished."""
    deadline = time.monotonic() + limit
    last, last_change = -1, time.monotonic()
    while time.monotonic() < deadline:
        stored = count() - before
        if stored >= sent:
            return stored
        if stored != last:
            last, last_change = stored, time.monotonic()
        elif time.monotonic() - last_change > 1.5:
            return stored
        time.sleep(0.2)
    return count() - before


def measure_sizes(plan, env: dict[str, str], out_dir: Path) -> dict:
    """Run the whole plan; return the JSON-able results (see bench.report)."""
    call_command("migrate", verbosity=0, interactive=False)
    ensure_floor_table()
    # Interleaved in this order in every round: each webhook right after its floor (and peer).
    endpoints = [BASELINE, BASELINE_DRF, FLOOR_ANSWER, PEER_ANSWER]
    notes = []
    for endpoint, issue in ((ANSWER, "routing, issue 3"), (EVENT, "calls, issue 4")):
        if landed(endpoint):
            endpoints += [FLOOR_EVENT, endpoint] if endpoint == EVENT else [endpoint]
        else:
            notes.append(f"{endpoint} skipped: the portal has no {endpoint} view yet ({issue}).")
            print(f"NOTE: {notes[-1]}", flush=True)
    if EVENT in endpoints:
        endpoints.append(EVENT_LONG)
    results = {
        "machine": machine_info(plan.tool),
        "settings": asdict(plan),
        "notes": notes,
        "sizes": {},
    }
    run_ids = itertools.count(int(time.time()) % 1_000_000 * 1000)
    for name in plan.sizes:
        results["sizes"][name] = _measure_size(name, plan, env, out_dir, endpoints, run_ids)
    return results


def _measure_size(
    name: str, plan, env: dict[str, str], out_dir: Path, endpoints: list[str], run_ids
) -> dict:
    print(f"== {name}: generating data", flush=True)
    started = time.monotonic()
    counts = grow_to(SIZES[name])
    generate_seconds = time.monotonic() - started
    cache.clear()
    tenants = sample_tenants(bench_project_pks(), 1 if SIZES[name] is SMALL else plan.targets)
    builders = {
        BASELINE: baseline_workload,
        BASELINE_DRF: baseline_drf_workload,
        ANSWER: answer_workload,
        EVENT: event_workload,
        EVENT_LONG: event_long_workload,
        FLOOR_ANSWER: floor_answer_workload,
        FLOOR_EVENT: floor_event_workload,
        PEER_ANSWER: peer_answer_workload,
    }
    workloads = {endpoint: builders[endpoint](tenants) for endpoint in endpoints}
    queries = []
    if ANSWER in endpoints:
        queries += count_queries(answer_workload(tenants[:1]).for_run(next(run_ids)), per_call=2)
    if EVENT in endpoints:
        queries += count_queries(event_workload(tenants[:1]).for_run(next(run_ids)), per_call=4)
    cache.clear()
    connections.close_all()

    print(f"== {name}: {counts}, {len(tenants)} tenants driven; starting gunicorn", flush=True)
    with GunicornServer(
        env, plan.workers, out_dir / "gunicorn.log", ready_path="/bench/baseline/1/x/"
    ) as server:

        def drive(endpoint: str, concurrency: int, seconds: float, budget: int, tool: str) -> dict:
            count = stored_floor_events if endpoint == FLOOR_EVENT else stored_events
            before = count() if endpoint in STORING else 0
            workload = workloads[endpoint].for_run(next(run_ids))
            result = run_load(server.base_url, workload, concurrency, seconds, budget, tool)
            stored = (
                _settle_stored(before, result.sent, count=count) if endpoint in STORING else None
            )
            return {"endpoint": endpoint, **result.as_dict(), "stored": stored}

        for endpoint in sorted(endpoints, key=lambda endpoint: endpoint == ANSWER):
            passes = _ANSWER_WARMUP_PASSES if endpoint == ANSWER else 1
            for _ in range(passes):  # a pass over the request mix warms every tenant's cache
                templates = len(workloads[endpoint].templates)
                drive(endpoint, _WARMUP_CONCURRENCY, 120, templates, "python")
        memory = {"after_warmup_kib": server.worker_rss_kib()}
        runs = []
        for round_ in range(plan.rounds):
            for concurrency in plan.concurrency:
                for endpoint in endpoints:
                    runs.append(
                        {
                            "round": round_,
                            **drive(endpoint, concurrency, plan.seconds, plan.budget, plan.tool),
                        }
                    )
                    print(f"  {name:5} round {round_ + 1} {_describe(runs[-1])}", flush=True)
        event_check = None
        if EVENT in endpoints:  # the Python client finishes every request it starts: sent is exact
            event_check = drive(EVENT, max(plan.concurrency), 300, plan.event_check, "python")
            print(f"  {name:5} sent = stored check: {_describe(event_check)}", flush=True)
        memory["after_runs_kib"] = server.worker_rss_kib()
        print(f"  {name:5} web workers' resident size, KiB: {memory}", flush=True)
    return {
        "counts": counts,
        "generate_seconds": generate_seconds,
        "tenants": len(tenants),
        "queries": [asdict(q) for q in queries],
        "runs": runs,
        "event_check": event_check,
        "memory": memory,
    }


def _describe(run: dict) -> str:
    stored = f"  stored {run['stored']}" if run["stored"] is not None else ""
    return (
        f"c={run['concurrency']:<3} {run['endpoint']:14} "
        f"{run['rps']:8.0f} req/s  p50 {run['p50_ms']:6.2f} ms"
        f"  p99 {run['p99_ms']:7.2f} ms  2xx {run['ok']}/{run['sent']}{stored}"
    )
