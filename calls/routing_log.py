"""Hand-over of answer_url routing decisions to the call's record, without SQL on the hot path.

The answer_url runs before Stringee has sent any event, and must not write to the database
(0 queries warm). It parks its decision in the cache under the call id; event ingestion
collects it when it creates or updates that call's record (every event of the call looks, so a
decision parked a moment late is still collected by a later event).

With Redis, decisions are written by a background thread of each worker, many per round trip,
so the caller of the answer_url never waits on that write; a worker that dies loses at most the
decisions of its last few milliseconds. With an in-process cache they are written at once.
"""

import logging
import os
import queue
import threading

from django.core.cache import cache

from portal.redis_cache import redis_client

logger = logging.getLogger(__name__)

DECISION_TTL_SECONDS = 24 * 3600
BATCH_SIZE = 500


def _key(project_id: int, call_id: str) -> str:
    return f"routing-decision:{project_id}:{call_id}"


class BackgroundCacheWriter:
    """`cache.set` from a daemon thread per process, batching what piles up into one `set_many`."""

    def __init__(self, timeout: int) -> None:
        self.timeout = timeout
        self._queue: queue.Queue | None = None
        self._pid: int | None = None
        self._lock = threading.Lock()

    def set(self, key: str, value) -> None:
        if self._pid != os.getpid():  # first write in this process (gunicorn forks workers)
            with self._lock:
                if self._pid != os.getpid():
                    self._queue = queue.Queue()
                    threading.Thread(target=self._run, name="routing-decisions", daemon=True).start()
                    self._pid = os.getpid()
        self._queue.put((key, value))

    def flush(self) -> None:
        """Wait until everything handed over so far is written."""
        if self._queue is not None and self._pid == os.getpid():
            self._queue.join()

    def _run(self) -> None:
        pending = self._queue
        while True:
            batch = dict([pending.get()])
            taken = 1
            while taken < BATCH_SIZE:
                try:
                    key, value = pending.get_nowait()
                except queue.Empty:
                    break
                batch[key] = value  # a later decision for the same call replaces, as cache.set would
                taken += 1
            try:
                cache.set_many(batch, self.timeout)
            except Exception:  # a lost decision costs a line of the call's story, not the call
                logger.exception("Could not park %d routing decisions", len(batch))
            finally:
                for _ in range(taken):
                    pending.task_done()


_writer = BackgroundCacheWriter(DECISION_TTL_SECONDS)


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
    _writer.flush()  # what this process handed over is in the cache before we look
    key = _key(project_id, call_id)
    decision = cache.get(key)
    if decision is not None:
        cache.delete(key)
    return decision
