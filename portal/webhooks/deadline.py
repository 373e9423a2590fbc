"""A time limit on a block of database work, for the webhooks Stringee retries on a 5xx.

A PostgreSQL server that hangs keeps accepting bytes (its kernel acknowledges them), so neither
libpq's connect timeout (2 s at least) nor a server-side statement timeout ends a query sent on
an open connection. The limit is a SIGALRM timer: when it fires, the blocked wait for the
server's reply is interrupted, the connection is dropped (the server rolls back whatever it had
not committed), and the caller gets OperationalError, its usual "database unavailable" path.

Signals reach only the main thread, so the limit applies under gunicorn's sync workers (one
request per process) and in tests; elsewhere (a threaded dev server) the block runs unbounded.
Deadlines nest: an inner block gets the shorter of its own limit and what is left of the outer
one, and the outer timer runs on once the inner block ends.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import OperationalError, connection

RETRY_SECONDS = 0.05


class DatabaseDeadlineExceeded(OperationalError):
    """The database did not finish the work within the deadline."""


@contextmanager
def database_deadline(seconds: float) -> Iterator[None]:
    """Raise DatabaseDeadlineExceeded if the block runs longer than `seconds` (0: no limit)."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return
    outer_left = signal.getitimer(signal.ITIMER_REAL)[0]  # 0: no enclosing deadline
    if outer_left and outer_left <= seconds:  # the enclosing deadline comes first anyway
        yield
        return

    def expire(signum, frame):
        # Fires again every RETRY_SECONDS until the block ends: code that catches the error and
        # goes on waiting on the database is interrupted again, never left without a limit.
        signal.setitimer(signal.ITIMER_REAL, RETRY_SECONDS)
        raise DatabaseDeadlineExceeded(f"no answer from the database within {seconds:g} s")

    started = time.monotonic()
    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except DatabaseDeadlineExceeded:
        connection.close()  # mid-protocol: never reuse it
        raise
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer_left:  # the enclosing deadline goes on with what it has left (at least 1 ms)
            left = outer_left - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(left, 0.001))
