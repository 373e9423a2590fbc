"""Liveness (/healthz) and readiness (/readyz) probes for load balancers and orchestrators.

Both are unauthenticated, so they say only which dependency failed, never a hostname or an
error text. /healthz touches nothing: it answers as long as the worker serves requests.
/readyz asks the database (one `SELECT 1`, bounded by a short statement timeout on
PostgreSQL) and the cache; with Redis it pings the raw client, because the cache itself is
configured to read an outage as a miss (IGNORE_EXCEPTIONS) and would report nothing. The ping
asks Redis even while this process remembers it down (portal.ops.redis_breaker), so readiness says
how Redis is now, not how it was, and an answer ends that memory at once.
"""

from __future__ import annotations

import logging
import uuid

from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from portal.ops.redis_breaker import asking_anyway
from portal.ops.redis_cache import redis_client

logger = logging.getLogger(__name__)

# A readiness probe must answer well inside the orchestrator's own timeout.
DB_STATEMENT_TIMEOUT_MS = 1000


def database_ok() -> bool:
    """Whether the default database answers a trivial query (within a short timeout)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"SET LOCAL statement_timeout = {DB_STATEMENT_TIMEOUT_MS}")
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.warning("Readiness: the database is unreachable", exc_info=True)
        return False
    return True


def cache_ok() -> bool:
    """Whether the cache answers: PING for Redis, a write and read back for any other backend."""
    try:
        client = redis_client()
        if client is not None:
            with asking_anyway():
                return bool(client.ping())
        key = f"readyz:{uuid.uuid4().hex}"
        cache.set(key, 1, 10)
        found = cache.get(key) == 1
        cache.delete(key)
        return found
    except Exception:
        logger.warning("Readiness: the cache is unreachable", exc_info=True)
        return False


@csrf_exempt
@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up and serving requests."""
    return JsonResponse({"status": "ok"})


@csrf_exempt
@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready for traffic when the database and the cache both answer; 503 names the one that did
    not."""
    checks = {
        "database": "ok" if database_ok() else "unreachable",
        "cache": "ok" if cache_ok() else "unreachable",
    }
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ready" if ready else "not ready", "checks": checks},
        status=200 if ready else 503,
    )
