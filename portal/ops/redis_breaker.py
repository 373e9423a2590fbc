"""Each process remembers, for a few seconds, that its Redis failed, and leaves it alone meanwhile.

A hung Redis costs every call the socket timeout (`CACHE_SOCKET_TIMEOUT`): several cache calls in
one request add up to seconds. So after a connect error (refused, connect or handshake timeout)
or a read or write timeout, every connection of the pool refuses at once, before touching a
socket, for `CACHE_DOWN_SECONDS`: the cache then reads as a miss and its writes are skipped, as
for any Redis error (IGNORE_EXCEPTIONS), and the raw client's scripts, pipelines and publishes
raise `RedisMarkedDown`, a redis `ConnectionError`, which their callers already handle. When
the time is up, one caller asks Redis again while the others still refuse; an answer makes
everyone use Redis again, another failure starts a new period. Any answer from Redis, on any
connection, ends the period early.

It sits under everything that talks to Redis: `BreakerConnectionPool` is django-redis's
`CONNECTION_POOL_CLASS` (settings), so the cache, `portal.ops.redis_cache.redis_client()` and the
pub/sub listener share one memory per pool, i.e. per Redis and process. A connection closed by
the server (a restart, an idle proxy) does not count as a failure: the next connect decides.
Code that must ask Redis itself even so (readiness, the background invalidation listener) runs
inside `asking_anyway()`; its failures and answers update the memory like any other.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import redis
from redis.connection import (
    AbstractConnection,
    Connection,
    SSLConnection,
    UnixDomainSocketConnection,
)
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

DEFAULT_DOWN_SECONDS = 5.0

_anyway = threading.local()


class RedisMarkedDown(RedisConnectionError):
    """Refused without asking Redis: it failed moments ago."""


@contextmanager
def asking_anyway() -> Iterator[None]:
    """Within the block this thread asks Redis even while it is remembered down."""
    before = getattr(_anyway, "on", False)
    _anyway.on = True
    try:
        yield
    finally:
        _anyway.on = before


class Breaker:
    """Until when this process leaves one Redis alone (0: it is believed up). Thread-safe."""

    def __init__(self, down_seconds: float = DEFAULT_DOWN_SECONDS) -> None:
        if down_seconds < 0:
            raise ValueError("down_seconds must not be negative")
        self.down_seconds = down_seconds
        self._lock = threading.Lock()
        self._until = 0.0

    @property
    def is_open(self) -> bool:
        """Whether Redis is remembered down (while one caller asks again, too)."""
        return self._until != 0.0

    def admit(self) -> None:
        """Return if a caller may talk to Redis now; raise RedisMarkedDown otherwise."""
        if not self._until or getattr(_anyway, "on", False):
            return
        with self._lock:
            now = time.monotonic()
            if not self._until:
                return
            if now < self._until:
                raise RedisMarkedDown(
                    f"Redis failed within the last {self.down_seconds:g} s; not asked meanwhile"
                )
            self._until = now + self.down_seconds  # this caller asks; the others wait for it

    def failed(self, address: str, error: Exception) -> None:
        if not self.down_seconds:
            return
        with self._lock:
            first = not self._until
            self._until = time.monotonic() + self.down_seconds
        if first:
            logger.warning(
                "Redis at %s failed (%s): this process leaves it alone for %g s at a time "
                "until it answers (cache reads miss, writes are skipped)",
                address,
                error,
                self.down_seconds,
            )

    def answered(self) -> None:
        if not self._until:
            return
        with self._lock:
            was_open, self._until = bool(self._until), 0.0
        if was_open:
            logger.warning("Redis answers again: this process uses it again")


class _Remembering(AbstractConnection):
    """What a connection adds: ask `breaker` before connecting, tell it failures and answers."""

    def __init__(self, *args: Any, breaker: Breaker, **kwargs: Any) -> None:
        self.breaker = breaker
        super().__init__(*args, **kwargs)

    def connect_check_health(
        self, check_health: bool = True, retry_socket_connect: bool = True
    ) -> None:
        # Every use of a pooled connection passes here (pool.get_connection → connect), even one
        # whose socket is open, so a hung Redis is not asked on its old connections either.
        self.breaker.admit()
        try:
            super().connect_check_health(check_health, retry_socket_connect)
        except (RedisConnectionError, RedisTimeoutError) as error:
            self.breaker.failed(self._host_error(), error)
            raise

    def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        try:
            super().send_packed_command(command, check_health)
        except RedisTimeoutError as error:
            self.breaker.failed(self._host_error(), error)
            raise

    def read_response(self, *args: Any, **kwargs: Any) -> Any:
        try:
            response = super().read_response(*args, **kwargs)
        except RedisTimeoutError as error:
            self.breaker.failed(self._host_error(), error)
            raise
        except ResponseError:  # an error reply is an answer too
            self.breaker.answered()
            raise
        self.breaker.answered()
        return response


class BreakerConnection(_Remembering, Connection):
    """redis:// (TCP)."""


class BreakerSSLConnection(_Remembering, SSLConnection):
    """rediss:// (TLS)."""


class BreakerUnixConnection(_Remembering, UnixDomainSocketConnection):
    """unix:// (a local socket)."""


# Plain `type`: mypy takes redis-py's connection classes for abstract ones.
_REMEMBERING: dict[type, type] = {
    Connection: BreakerConnection,
    SSLConnection: BreakerSSLConnection,
    UnixDomainSocketConnection: BreakerUnixConnection,
}


class BreakerConnectionPool(redis.ConnectionPool):
    """redis-py's pool, its connections sharing one Breaker (`down_seconds`; 0 turns it off).

    django-redis passes the URL's connection class (TCP, TLS or socket); its remembering twin
    is used instead.
    """

    def __init__(
        self,
        connection_class: type[AbstractConnection] = Connection,
        down_seconds: float = DEFAULT_DOWN_SECONDS,
        **kwargs: Any,
    ) -> None:
        if not issubclass(connection_class, _Remembering):
            if connection_class not in _REMEMBERING:
                raise ValueError(f"No Redis-down memory for {connection_class.__name__}")
            connection_class = _REMEMBERING[connection_class]
        self.breaker = Breaker(down_seconds)
        super().__init__(connection_class=connection_class, breaker=self.breaker, **kwargs)


class SkipMarkedDown(logging.Filter):
    """Drops records of errors the breaker raised (django-redis's "Exception ignored" for each
    call): the breaker logged the failure once itself."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        while error is not None:
            if isinstance(error, RedisMarkedDown):
                return False
            error = error.__cause__
        return True
