"""The bench command: data, gunicorn, interleaved load runs, query counts, BENCHMARKS.md.

`python -m bench` runs the full bench on PostgreSQL (its own database, created and dropped)
with the Redis cache; `python -m bench --smoke` runs a seconds-long version on a temporary
SQLite file with the local-memory cache, for the test suite. Django is configured here, from
the arguments, before anything imports it.
"""

import argparse
import json
import os
import shlex
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from bench import services
from bench.load import ensure_wrk, wrk_path

BASE_DIR = Path(__file__).resolve().parent.parent
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
BENCH_DB = "portal_bench"
REDIS_CACHE = "redis://127.0.0.1:6379/7"


@dataclass
class Plan:
    sizes: list[str]
    concurrency: list[int]
    seconds: float
    budget: int
    rounds: int
    targets: int  # tenants the large size spreads its calls over
    workers: int
    tool: str
    event_check: int  # events of the exact sent = stored check after the load runs


FULL = Plan(
    ["small", "large"], [4, 16, 64], 5, 50_000, 3, 1_000, os.cpu_count() or 2, "auto", 2_000
)
SMOKE = Plan(["small"], [2], 2, 150, 1, 1, 2, "auto", 100)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--smoke", action="store_true", help="seconds-long run on SQLite (for the tests)"
    )
    parser.add_argument("--sizes", help="comma-separated: small,large")
    parser.add_argument("--concurrency", help="comma-separated connection counts, e.g. 4,16,64")
    parser.add_argument("--seconds", type=float, help="time limit of each run")
    parser.add_argument("--budget", type=int, help="request limit of each run")
    parser.add_argument("--rounds", type=int, help="interleaved rounds per concurrency")
    parser.add_argument(
        "--targets", type=int, help="tenants the large size's calls are spread over"
    )
    parser.add_argument("--tool", choices=["auto", "wrk", "python"], help="load generator")
    parser.add_argument("--database-url", help="use this database instead of creating one")
    parser.add_argument(
        "--keep-db", action="store_true", help="do not drop the bench database at the end"
    )
    parser.add_argument(
        "--out", help="directory for results.json (and BENCHMARKS.md in smoke mode)"
    )
    return parser.parse_args(argv)


def make_plan(args: argparse.Namespace) -> Plan:
    plan = SMOKE if args.smoke else FULL
    overrides = {
        "sizes": args.sizes.split(",") if args.sizes else None,
        "concurrency": [int(c) for c in args.concurrency.split(",")] if args.concurrency else None,
        "seconds": args.seconds,
        "budget": args.budget,
        "rounds": args.rounds,
        "targets": args.targets,
        "tool": args.tool,
    }
    return Plan(**{**asdict(plan), **{k: v for k, v in overrides.items() if v is not None}})


def configure_django(database_url: str, cache_url: str) -> dict[str, str]:
    """Point Django at the bench settings and return the environment gunicorn gets too."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": database_url,
        "CACHE_URL": cache_url,
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "LOG_LEVEL": "ERROR",
    }
    os.environ.update(env)
    import django

    django.setup()
    return env


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    plan = make_plan(args)
    started = time.monotonic()
    out_dir = Path(args.out) if args.out else BASE_DIR / "bench" / "out"
    out_dir.mkdir(parents=True, exist_ok=True)
    if plan.tool in ("auto", "wrk") and not args.smoke:
        ensure_wrk()
    if plan.tool == "auto":
        plan.tool = "wrk" if wrk_path() else "python"
    print(f"Load generator: {plan.tool}", flush=True)

    drop = None
    if args.database_url:
        database_url = args.database_url
    elif args.smoke:
        database_url = f"sqlite:///{tempfile.mkdtemp(prefix='bench-')}/bench.sqlite3"
    else:
        services.ensure_postgres_and_redis()
        database_url = services.create_database(PG_SERVER, BENCH_DB)
        drop = None if args.keep_db else BENCH_DB
    cache_url = "locmemcache://bench" if args.smoke else REDIS_CACHE
    env = configure_django(database_url, cache_url)

    from bench.measure import measure_sizes

    try:
        results = measure_sizes(plan, env, out_dir)
    finally:
        if drop:
            from django.db import connections

            connections.close_all()
            services.drop_database(PG_SERVER, drop)

    results["command"] = " ".join(
        ["python -m bench", *(shlex.quote(a) for a in (argv or sys.argv[1:]))]
    )
    results["seconds"] = time.monotonic() - started
    results["finished"] = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    (out_dir / "results.json").write_text(json.dumps(results, indent=2, default=str))

    from bench.report import goals, keep_analysis, markdown

    text = markdown(results)
    target = out_dir / "BENCHMARKS.md" if args.smoke else BASE_DIR / "BENCHMARKS.md"
    target.write_text(keep_analysis(target.read_text() if target.exists() else "", text))
    print()
    print(text)
    print(f"Written to {target} in {results['seconds'] / 60:.1f} min.")
    for goal, met, figures in goals(results):
        print(f"  {'MET ' if met else 'MISS' if met is False else 'N/A '}  {goal}: {figures}")
    return 0
