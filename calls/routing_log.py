"""Hand-over of answer_url routing decisions to the call's record, without SQL on the hot path.

The answer_url runs before Stringee has sent any event, and must not write to the database
(0 queries warm). It parks its decision in the cache under the call id; event ingestion
collects it when it creates or updates that call's record (every event of the call looks, so a
decision parked a moment late is still collected by a later event).

With Redis, decisions are written by a background thread of each worker every few
milliseconds, many per round trip, so the caller of the answer_url never waits on that write
and a busy worker spends little on it; a worker that dies loses at most the decisions of its
last few milliseconds. With an in-process cache they are written at once.
"""

import logging
import os
import threading
import time

from django.core.cache import cache

from portal.redis_cache import redis_client

logger = logging.getLogger(__name__)

DECISION_TTL_SECONDS = 24 * 3600


def _key(project_id: int, call_id: str) -> str:
    return f"routing-decision:{project_id}:{call_id}"


class BatchedCacheWriter:
    """`cache.set` from a daemon thread per process, many keys per round trip.

    Values wait here up to `linger` seconds, so a busy worker writes them in batches; `take`
    hands a value still waiting straight to a reader in the same process.
    """

    def __init__(self, timeout: int, linger: float = 0.005) -> None:
        self.timeout = timeout
        self.linger = linger
        self._pending: dict = {}
        self._lock = threading.Lock()
        self._wakeup = threading.Event()
        self._pid: int | None = None

    def set(self, key: str, value) -> None:
        with self._lock:
            if self._pid != os.getpid():  # first write in this process (gunicorn forks workers)
                self._pid = os.getpid()
                self._pending = {}
                threading.Thread(target=self._run, name="routing-decisions", daemon=True).start()
            self._pending[key] = value  # a later value for the same key replaces, as cache.set would
        self._wakeup.set()

    def take(self, key: str):
        """The value still waiting under `key` (it will then not be written), else None."""
        with self._lock:
            return self._pending.pop(key, None)

    def flush(self) -> None:
        """Write everything waiting now, in the caller's thread."""
        with self._lock:
            batch, self._pending = self._pending, {}
        if batch:
            cache.set_many(batch, self.timeout)

    def _run(self) -> None:
        while True:
            self._wakeup.wait()
            time.sleep(self.linger)
            self._wakeup.clear()
            try:
                self.flush()
            except Exception:  # a lost decision costs a line of the call's story, not the call
                logger.exception("Could not park routing decisions")


_writer = BatchedCacheWriter(DECISION_TTL_SECONDS)


def remember_decision(project_id: int, call_id: str, decision: dict) -> None:
    """Park what the answer_url decided (rule, SCCO, ...) for call `call_id`."""
    if not call_id:
        return
    if redis_client() is not None:
        _writer.set(_key(project_id, call_id), decision)
    else:
        cache.set(_key(project_id, call_id), decision, DECISION_TTL_SECONDS)


def collect_decision(project_id: int, call_id: str) -> dict | None:
    """The parked decision for `call_id`, if any (removed from the cache)."""
    key = _key(project_id, call_id)
    decision = _writer.take(key)
    if decision is not None:
        return decision
    decision = cache.get(key)
    if decision is not None:
        cache.delete(key)
    return decision
