"""The portal in this process on the small data set, for the benchmarks that time requests one
at a time without a server (bench.request_cost, bench.breakdown): a PostgreSQL database of their
own, the machine's Redis, the generated data, the WSGI application and one sample tenant."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

SERVER = "postgres://postgres@127.0.0.1:5432"


@contextmanager
def portal_in_process(database: str, cache_db: int, name: str) -> Iterator[tuple[Any, Any]]:
    """`with portal_in_process("portal_x", 10, "x") as (tenant, app):` the sample tenant and the
    WSGI application, on database `database` (dropped afterwards) and Redis database `cache_db`."""
    from bench.services import create_database, drop_database, ensure_postgres_and_redis

    ensure_postgres_and_redis()
    os.environ.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=create_database(SERVER, database),
        CACHE_URL=f"redis://127.0.0.1:6379/{cache_db}",
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1",
        LOG_LEVEL="ERROR",
    )
    os.environ.setdefault("SECRET_KEY", f"bench-{name}-" + "x" * 40)
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from django.db import connections

    from bench.datagen import SMALL, bench_project_pks, grow_to
    from bench.targets import sample_tenants

    try:
        call_command("migrate", verbosity=0, interactive=False)
        grow_to(SMALL)
        cache.clear()
        yield sample_tenants(bench_project_pks(), 1)[0], get_wsgi_application()
    finally:
        cache.clear()
        connections.close_all()
        drop_database(SERVER, database)
