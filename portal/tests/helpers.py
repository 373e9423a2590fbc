"""Helpers shared by every app's tests: API auth headers, firing work from many threads, waiting
for a condition, the Redis cache settings, and reading the CSV file an export wrote."""

import re
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode

from django.db import connection

from calls.demo import seed_demo_calls
from portal import exports
from portal.api.authentication import make_rest_token
from portal.devtools import demo
from portal.devtools.browser import log_in
from portal.models import Export, Project
from routing.demo import seed_demo_routing


def jwt_headers(project: Project) -> dict[str, str]:
    """Headers of a management API call made with `project`'s REST token."""
    return {"X-STRINGEE-AUTH": make_rest_token(project)}


def wait_for(condition: Callable[[], object], seconds: float = 5) -> bool:
    """Whether `condition()` came true within `seconds` (polled every 10 ms)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


def redis_cache(location: str, timeout: float = 0.2, down_seconds: float = 5) -> dict:
    """CACHES as settings.py builds them for a redis:// CACHE_URL, with shorter timeouts."""
    return {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": location,
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": timeout,
                "SOCKET_TIMEOUT": timeout,
                "IGNORE_EXCEPTIONS": True,
                "CONNECTION_POOL_CLASS": "portal.ops.redis_breaker.BreakerConnectionPool",
                "CONNECTION_POOL_KWARGS": {"down_seconds": down_seconds},
            },
        }
    }


def run_in_threads(
    work: Callable[[Any], Any], inputs: Iterable[Any], timeout: float = 30
) -> list[Any]:
    """Call `work(x)` for every input at the same moment, one thread each; results in input order.

    Each thread closes its own database connection, so PostgreSQL sees real concurrent sessions.
    """
    inputs = list(inputs)
    start = threading.Barrier(len(inputs))
    results: list[Any] = [None] * len(inputs)

    def run(index: int, item: Any) -> None:
        try:
            start.wait(timeout=timeout)
            results[index] = work(item)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(inputs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results


def demo_tenant_logged_in(browser, live_server, *, calls: int, days: int) -> Project:
    """The demo tenant with its routing and `calls` calls over `days` days, its owner logged in."""
    project = demo.seed_demo()
    seed_demo_routing(project)
    seed_demo_calls(project, count=calls, days=days)
    browser.delete_all_cookies()
    log_in(browser, live_server.url, demo.OWNER_USERNAME, demo.OWNER_PASSWORD)
    return project


def exported_csv(client, export_url: str, params: dict | None = None) -> str:
    """Press a list's "Export filtered list as CSV" (a POST carrying the list's filters) and read
    the file its export wrote (tests run background jobs at once)."""
    before = set(Export.objects.values_list("pk", flat=True))
    query = f"?{urlencode(params, doseq=True)}" if params else ""
    response = client.post(f"{export_url}{query}")
    assert response.status_code == 302, response.status_code
    (export,) = Export.objects.exclude(pk__in=before)
    return export_text(export)


def export_text(export: Export) -> str:
    export.refresh_from_db()
    assert export.status == Export.Status.READY, (export.status, export.error)
    with exports.export_file(export) as file:
        return file.read().decode("utf-8-sig")


def admin_pages(client, start: str = "/admin/", limit: int = 400, per_shape: int = 2):
    """(path, response) of every admin page reachable from `start` by following links, as the
    client's user: each distinct path once (queries dropped), at most `per_shape` paths per
    shape (ids replaced by <id>), redirects followed, never signing out."""
    seen: set[str] = set()
    shapes: dict[str, int] = {}
    queue = [start]
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path, follow=True)  # a chooser redirects to the only choice
        yield path, response
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for link in re.findall(r'href="(/admin/[^"#?]*)', response.content.decode()):
            shape = re.sub(r"/\d+/", "/<id>/", link)
            if link in seen or "logout" in link or shapes.get(shape, 0) >= per_shape:
                continue
            shapes[shape] = shapes.get(shape, 0) + 1
            queue.append(link)


def project_page_form(project: Project, **changes: Any) -> dict[str, Any]:
    """The project's change page as a browser posts it: every field as it stands (secrets left
    blank: kept), the "where calls may go" rows' management form, then `changes` (None drops a
    field, as an unticked checkbox)."""
    data: dict[str, Any] = {
        "name": project.name,
        "stringee_project_id": project.stringee_project_id,
        "is_active": "on" if project.is_active else None,
        "time_zone": project.time_zone,
        "api_key_sid": project.api_key_sid,
        "api_key_secret": "",
        "signing_mode": project.signing_mode,
        "signing_secret": "",
        "fallback_message": project.fallback_message,
        "caller_voice": project.caller_voice,
        "retention_days": project.retention_days,
        "recording_retention_days": project.recording_retention_days or "",
        "external_calls_per_hour": project.external_calls_per_hour or "",
        "staff_need_second_factor": "on" if project.staff_need_second_factor else None,
        "allowed_destinations-TOTAL_FORMS": 0,
        "allowed_destinations-INITIAL_FORMS": 0,
        "allowed_destinations-MIN_NUM_FORMS": 0,
        "allowed_destinations-MAX_NUM_FORMS": 1000,
        "_save": "Save",
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}
