"""SQL queries per webhook request, counted in-process against the real views, cold and warm.

Cold means the cache was just emptied (first call of a project after a restart or a change);
warm is the steady state the load runs measure.
"""

from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.workload import RequestTemplate, Workload, fill
from portal.webhooks.local_copies import local_copies


@dataclass
class QueryCount:
    label: str
    queries: int
    status: int
    sample: str  # start of the response body, to show what was answered


def _send(client: Client, template: RequestTemplate, n: int, c: int) -> tuple[int, int, str]:
    path, body = fill(template, n, c, 1_700_000_000_000 + n)
    with CaptureQueriesContext(connection) as captured:
        if template.method == "GET":
            response = client.get(path)
        else:
            response = client.post(path, body, content_type="application/json")
    return (
        len(captured.captured_queries),
        response.status_code,
        response.content[:160].decode(errors="replace"),
    )


def _empty_caches() -> None:
    """Cold start: the shared cache and this process's own routing copies are empty."""
    cache.clear()
    local_copies.reset()


def count_queries(workload: Workload, per_call: int = 1) -> list[QueryCount]:
    """Queries of each of the workload's first `per_call` templates, cold then warm.

    For the event_url, `per_call` is the number of events of one call: the cold figures are one
    call's events after the cache was emptied, the warm ones the events of a second call.
    """
    client = Client()
    templates = workload.templates[: max(per_call, 1)]
    results: list[QueryCount] = []
    _empty_caches()
    for phase, call in (("cold", 900_000_001), ("warm", 900_000_002)):
        for i, template in enumerate(templates):
            label = _label(workload, template, i)
            n = call * 10 + i
            queries, status, sample = _send(client, template, n, call if workload.group > 1 else n)
            if phase == "cold" and workload.group == 1:
                _empty_caches()  # each answer_url flow is measured from an empty cache
            results.append(QueryCount(f"{label}, {phase}", queries, status, sample))
        if phase == "cold" and workload.group == 1:
            for i, template in enumerate(templates):  # warm every flow once before measuring warm
                _send(client, template, 800_000_000 + i, 800_000_000 + i)
    return results


def _label(workload: Workload, template: RequestTemplate, index: int) -> str:
    if workload.group > 1:
        return f'{workload.endpoint} "{_status(template.body)}"'
    kind = "app→app" if "fromInternal=true" in template.path else "phone→app"
    return f"{workload.endpoint} {kind}"


def _status(body: str) -> str:
    marker = '"call_status":"'
    start = body.find(marker)
    return body[start + len(marker) :].split('"', 1)[0] if start >= 0 else "?"
