"""Webhook health for the dashboard: answer_url and event_url latencies in a rolling one-hour store.

The middleware times every request to a webhook path and counts it in a per-minute histogram
(fixed latency bins) of its project, kept in the process until it is flushed to the cache at
most every few seconds: one `cache.incr` per (minute, bin) that saw requests, never one per
call, so the hot path pays a clock read and a dict update. The dashboard reads the last hour's
histograms back (one `get_many`) and reads p50 and p99 off them, to the bin's upper bound.
"""

from __future__ import annotations

import logging
import threading
import time
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.cache import cache
from redis.exceptions import RedisError

from portal.ops.redis_cache import redis_client

logger = logging.getLogger(__name__)

# Upper bounds (ms) of the histogram bins; the last bin holds everything slower.
BOUNDS_MS = (1, 2, 3, 5, 7, 10, 15, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750, 1000, 2000, 5000)
KINDS = {"answer_url": "answer", "event_url": "event"}
ALL_PROJECTS = 0  # every request is also counted under this pseudo-project
WINDOW_MINUTES = 60
FLUSH_SECONDS = 5.0
_TTL = (WINDOW_MINUTES + 5) * 60


def _key(kind: str, stringee_project_id: int, minute: int, bin_index: int) -> str:
    return f"webhook-latency:{kind}:{stringee_project_id}:{minute}:{bin_index}"


class LatencyStore:
    """Counts waiting in this process, flushed to the shared cache in batches."""

    def __init__(self, flush_seconds: float = FLUSH_SECONDS) -> None:
        self.flush_seconds = flush_seconds
        self._pending: dict[str, int] = {}
        self._lock = threading.Lock()
        self._flushed_at = time.monotonic()

    def record(
        self, kind: str, stringee_project_id: int, milliseconds: float, now: float | None = None
    ) -> None:
        minute = int((now if now is not None else time.time()) // 60)
        bin_index = bisect_left(BOUNDS_MS, milliseconds)
        with self._lock:
            for project in (stringee_project_id, ALL_PROJECTS):
                key = _key(kind, project, minute, bin_index)
                self._pending[key] = self._pending.get(key, 0) + 1
            due = time.monotonic() - self._flushed_at >= self.flush_seconds
        if due:
            self.flush()

    def flush(self) -> None:
        with self._lock:
            batch, self._pending = self._pending, {}
            self._flushed_at = time.monotonic()
        if not batch:
            return
        client = redis_client()
        if client is not None:  # one round trip, so a slow or hung Redis costs one timeout at most
            try:
                pipe = client.pipeline(transaction=False)
                for key, count in batch.items():
                    pipe.incrby(cache.make_key(key), count)
                    pipe.expire(cache.make_key(key), _TTL)
                pipe.execute()
            except RedisError:  # the figures of these seconds are lost; requests are not
                logger.warning("Redis unreachable: %d webhook latency counts dropped", len(batch))
            return
        for key, count in batch.items():
            cache.add(key, 0, _TTL)
            try:
                cache.incr(key, count)
            except ValueError:  # expired between add and incr: start again from this count
                cache.set(key, count, _TTL)


store = LatencyStore()


@dataclass(frozen=True)
class Latency:
    """One webhook's last hour: request count and percentiles (ms, a bin's upper bound)."""

    kind: str
    requests: int
    p50_ms: float | None
    p99_ms: float | None


def _percentile(counts: list[int], share: float) -> float | None:
    total = sum(counts)
    if not total:
        return None
    wanted, seen = share * total, 0
    for index, count in enumerate(counts):
        seen += count
        if seen >= wanted:
            return float(BOUNDS_MS[index]) if index < len(BOUNDS_MS) else float("inf")
    return float("inf")


def latency_summary(
    stringee_project_ids: Iterable[int] | None, now: float | None = None
) -> list[Latency]:
    """p50/p99 of the answer_url and event_url over the last hour, for some projects (None: all)."""
    store.flush()  # what this process holds counts too
    minute = int((now if now is not None else time.time()) // 60)
    projects = [ALL_PROJECTS] if stringee_project_ids is None else list(stringee_project_ids)
    bins = range(len(BOUNDS_MS) + 1)
    summaries = []
    for kind in KINDS.values():
        keys = [
            _key(kind, project, m, b)
            for project in projects
            for m in range(minute - WINDOW_MINUTES + 1, minute + 1)
            for b in bins
        ]
        found = cache.get_many(keys)
        counts = [0] * len(bins)
        for key, value in found.items():
            counts[int(key.rsplit(":", 1)[1])] += int(value)
        summaries.append(
            Latency(kind, sum(counts), _percentile(counts, 0.5), _percentile(counts, 0.99))
        )
    return summaries


def kind_of(endpoint: str) -> str | None:
    """The latency store's kind of a webhook endpoint: answer, event, or None for the others."""
    return KINDS.get(endpoint)
