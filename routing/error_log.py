"""Routing error rows written by a background thread, so the answer_url never waits on the database.

The answer_url's warm path makes no SQL query, and a call that gets the fallback must not be
the one that does: with a hung database it would wait for the statement timeout before the
caller hears anything. `record` only appends the row to a bounded in-process list; a daemon
thread of each worker writes the list with one INSERT a few milliseconds later. While the
database is down rows wait in the list and are retried every second; past `MAX_PENDING` the
oldest are dropped (and counted in the log), so an outage cannot grow a worker's memory. A
worker that dies loses the rows it had not written yet. A row's `created_at` is when it was
written, usually a few milliseconds after the call.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from collections import deque

from django.db import connection

from portal.ops.metrics import count_routing_fallback
from portal.webhooks.redaction import redact, redact_json
from routing.models import RoutingErrorLog

logger = logging.getLogger(__name__)

MAX_PENDING = 2_000
RETRY_SECONDS = 1.0


class ErrorLogWriter:
    """A bounded list of RoutingErrorLog rows and the thread that writes them.

    `background = False` writes each row at once in the caller's thread (tests, whose
    transaction another thread cannot see).
    """

    def __init__(self, max_pending: int = MAX_PENDING, linger: float = 0.005) -> None:
        self.background = True
        self.linger = linger
        self._pending: deque[dict] = deque(maxlen=max_pending)
        self._lock = threading.Lock()
        self._wakeup = threading.Event()
        self._pid: int | None = None
        self._dropped = 0

    def record(self, *, project_id: int, call_id: str, params: dict, error: str) -> None:
        """Queue one row; never raises and never touches the database in the caller's thread."""
        count_routing_fallback()
        row = {
            "project_id": project_id,
            "call_id": call_id[:128],
            "params": redact_json(params),
            "error": redact(error),
        }
        if not self.background:
            self._write([row])
            return
        with self._lock:
            if self._pid != os.getpid():  # first row in this process (gunicorn forks workers)
                self._pid = os.getpid()
                self._pending.clear()
                threading.Thread(target=self._run, name="routing-error-log", daemon=True).start()
            if len(self._pending) == self._pending.maxlen:
                self._dropped += 1
            self._pending.append(row)
        self._wakeup.set()

    def pending(self) -> int:
        with self._lock:
            return len(self._pending)

    def flush(self) -> bool:
        """Write every queued row now, in the caller's thread; False (rows kept) if that failed."""
        with self._lock:
            rows = list(self._pending)
            self._pending.clear()
            dropped, self._dropped = self._dropped, 0
        if dropped:
            logger.error(
                "Dropped %d routing error rows: the database was unavailable too long", dropped
            )
        if not rows:
            return True
        if self._write(rows):
            return True
        with self._lock:  # put them back in front of newer rows, within the bound
            room = (self._pending.maxlen or 0) - len(self._pending)
            kept = rows[len(rows) - room :] if room > 0 else []
            self._pending.extendleft(reversed(kept))
            self._dropped += len(rows) - len(kept)
        return False

    def _write(self, rows: list[dict]) -> bool:
        try:
            RoutingErrorLog.objects.bulk_create([RoutingErrorLog(**row) for row in rows])
            return True
        except Exception:  # the caller's answer is already on its way; keep the rows for later
            logger.exception("Could not write %d routing error rows", len(rows))
            if self.background:
                connection.close()  # this thread's connection may be broken: reconnect next time
            return False

    def _run(self) -> None:
        while True:
            self._wakeup.wait()
            time.sleep(self.linger)
            self._wakeup.clear()
            if not self.flush():
                time.sleep(RETRY_SECONDS)
                self._wakeup.set()


error_log = ErrorLogWriter()


@atexit.register
def _flush_at_exit() -> None:
    if error_log.background and error_log.pending():
        error_log.flush()
