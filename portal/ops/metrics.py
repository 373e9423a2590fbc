"""Prometheus metrics: webhook latency by endpoint and status class, per-project outcome counters,
/metrics.

Latency histograms carry only `endpoint` (six fixed values) and `status` (2xx/3xx/4xx/5xx).
Counters carry `project`, the Stringee projectId, which is bounded twice: a project is only
admitted as a label once its webhook token was accepted (a 2xx, a fallback or a signature
check all come after the token check), so made-up ids in URLs cannot grow the series; and each
process admits at most `METRICS_MAX_PROJECTS` projects, the first it sees, counting every
later one under "other". With gunicorn, set PROMETHEUS_MULTIPROC_DIR (an empty directory,
wiped before start) so /metrics adds up every worker; see docs/deploy.md.
"""

from __future__ import annotations

import hmac
import os
import threading
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

OTHER = "other"
LOOPBACK = {"127.0.0.1", "::1"}

WEBHOOK_LATENCY = Histogram(
    "portal_webhook_request_duration_seconds",
    "Time to answer a Stringee webhook, by endpoint and status class.",
    ["endpoint", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
EVENTS_STORED = Counter(
    "portal_call_events_stored", "Call events accepted by the event_url (2xx answers).", ["project"]
)
ROUTING_FALLBACKS = Counter(
    "portal_routing_fallbacks", "answer_url / callback calls answered with a fallback.", ["project"]
)
SIGNATURE_FAILURES = Counter(
    "portal_webhook_signature_failures",
    "Webhooks whose X-STRINGEE-SIGNATURE was missing or wrong.",
    ["project", "reason"],
)

# The Stringee projectId of the webhook this thread is answering (set by the middleware).
current_project: ContextVar[int | None] = ContextVar("current_webhook_project", default=None)


class ProjectLabels:
    """The projects this process labels by id; later ones share the "other" label."""

    def __init__(self) -> None:
        self._admitted: set[int] = set()
        self._lock = threading.Lock()

    def label(self, stringee_project_id: int | None, *, admit: bool = True) -> str:
        if stringee_project_id is None:
            return OTHER
        with self._lock:
            if stringee_project_id in self._admitted:
                return str(stringee_project_id)
            if admit and len(self._admitted) < settings.METRICS_MAX_PROJECTS:
                self._admitted.add(stringee_project_id)
                return str(stringee_project_id)
        return OTHER

    def clear(self) -> None:
        with self._lock:
            self._admitted.clear()


project_labels = ProjectLabels()


def status_class(status: int) -> str:
    return f"{status // 100}xx"


def observe_webhook(endpoint: str, stringee_project_id: int, status: int, seconds: float) -> None:
    """Record one webhook answer; a 2xx from the event_url is one stored event."""
    WEBHOOK_LATENCY.labels(endpoint=endpoint, status=status_class(status)).observe(seconds)
    if endpoint == "event_url" and 200 <= status < 300:
        EVENTS_STORED.labels(project=project_labels.label(stringee_project_id)).inc()


def count_routing_fallback() -> None:
    """The answer_url (or a callback) is answering with a fallback for the current project."""
    ROUTING_FALLBACKS.labels(project=project_labels.label(current_project.get())).inc()


def count_signature_failure(stringee_project_id: int, reason: str) -> None:
    SIGNATURE_FAILURES.labels(
        project=project_labels.label(stringee_project_id), reason=reason
    ).inc()


def _allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    if token:
        given = request.META.get("HTTP_AUTHORIZATION", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    return request.META.get("REMOTE_ADDR", "") in LOOPBACK


def registry() -> CollectorRegistry:
    """Every worker's values in multiprocess mode, else this process's."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    collected = CollectorRegistry()
    multiprocess.MultiProcessCollector(collected)
    return collected


@never_cache
@require_safe
def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus text format; a bearer token (METRICS_TOKEN) or, without one, loopback only."""
    if not _allowed(request):
        return HttpResponse("Forbidden\n", status=403, content_type="text/plain")
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)
