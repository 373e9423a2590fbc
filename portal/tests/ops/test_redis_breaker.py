"""A Redis that failed is left alone for a while per process: many calls cost one failure, not one
each, and Redis is used again once it answers."""

import logging
import shutil
import socket
import threading
import time
from collections import Counter

import pytest
from django.core.cache import cache
from django.utils import timezone
from redis.connection import Connection

from portal.devtools.stack import ThrowAwayRedis, free_port
from portal.ops.redis_breaker import (
    Breaker,
    BreakerConnectionPool,
    BreakerSSLConnection,
    BreakerUnixConnection,
    RedisMarkedDown,
)
from portal.ops.redis_cache import redis_client
from portal.ops.webhook_health import store
from portal.tests.helpers import redis_cache, wait_for
from portal.tests.ops.test_settings import manage
from portal.webhooks.local_copies import LocalCopies
from routing.decisions import park_decision
from routing.engine.types import Call

TIMEOUT = 0.2
READS = 20


@pytest.fixture
def connects(monkeypatch):
    """Counts the TCP connects this test's thread makes to Redis."""
    made: list[int] = []
    connect, me = Connection._connect, threading.get_ident()

    def counting(self):
        if threading.get_ident() == me:
            made.append(1)
        return connect(self)

    monkeypatch.setattr(Connection, "_connect", counting)
    return made


@pytest.fixture
def hung(settings):
    """A port that accepts connections and never answers, as a Redis stopped with SIGSTOP."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)  # the kernel completes the connections; nobody reads them
    settings.CACHES = redis_cache(f"redis://127.0.0.1:{server.getsockname()[1]}/0", TIMEOUT)
    yield
    server.close()


@pytest.fixture
def refused(settings):
    settings.CACHES = redis_cache(f"redis://127.0.0.1:{free_port()}/0", TIMEOUT)


@pytest.fixture
def own_redis():
    if shutil.which("redis-server") is None:
        pytest.skip("needs redis-server")
    server = ThrowAwayRedis()
    server.start()
    yield server
    if server.process is not None:
        server.thaw()
    server.stop()


def elapsed(action) -> float:
    started = time.monotonic()
    action()
    return time.monotonic() - started


def read_many() -> None:
    for index in range(READS):
        assert cache.get(f"key-{index}") is None


@pytest.mark.parametrize("redis_down", ["hung", "refused"])
def test_many_reads_from_a_failed_redis_cost_about_one_failure(request, redis_down, connects):
    request.getfixturevalue(redis_down)
    # One connect is the proof; the time only shows it is not paid per read (READS * TIMEOUT
    # = 4 s when hung, without the memory), with room for a loaded machine.
    took = elapsed(read_many)
    assert len(connects) == 1
    assert took < READS * TIMEOUT / 4


def test_every_way_to_redis_fails_at_once_without_a_connect(hung, connects):
    assert elapsed(lambda: cache.get("first")) >= TIMEOUT * 0.9  # this one waits, and fails
    client = redis_client()

    def everything() -> None:
        assert cache.set("key", 1) is None  # skipped (IGNORE_EXCEPTIONS)
        assert cache.incr("counter", ignore_key_check=True) is None
        assert cache.get_many(["a", "b"]) == {}
        with pytest.raises(RedisMarkedDown):
            client.ping()
        pipe = client.pipeline(transaction=False)
        pipe.incrby("a", 1)
        with pytest.raises(RedisMarkedDown):
            pipe.execute()
        with pytest.raises(RedisMarkedDown):
            client.register_script("return 1")()
        with pytest.raises(RedisMarkedDown):
            client.pubsub().subscribe("channel")
        call = Call("alice", "bob", from_internal=True, at=timezone.now(), call_id="call-1")
        park_decision(1, call, {"callId": "call-1"}, {"scco": []})  # lost, never raised
        store.record("answer", 1, 5.0)
        store.flush()  # the latency counts of these seconds are dropped
        LocalCopies().drop([1])  # the announcement is skipped; this process's copy goes

    assert elapsed(everything) < TIMEOUT
    assert len(connects) == 1


@pytest.mark.parametrize("fault", ["hung", "stopped"])
def test_redis_is_used_again_once_the_down_period_ends_and_it_answers(
    settings, own_redis, fault, connects
):
    settings.CACHES = redis_cache(own_redis.url, TIMEOUT, down_seconds=0.5)
    cache.set("key", "before")
    assert cache.get("key") == "before"
    if fault == "hung":
        own_redis.freeze()
    else:
        own_redis.stop()

    assert elapsed(read_many) < 2 * TIMEOUT

    if fault == "hung":
        own_redis.thaw()
    else:
        own_redis.start()
    cache.set("key", "skipped")  # Redis answers again, but this process still leaves it alone
    assert cache.get("key") is None
    time.sleep(0.5)
    cache.set("key", "after")
    assert cache.get("key") == "after"
    assert not redis_client().connection_pool.breaker.is_open


def test_readyz_asks_redis_itself_while_it_is_remembered_down(client, db, refused, connects):
    read_many()
    assert len(connects) == 1
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == "unreachable"
    assert len(connects) == 2  # readiness asked Redis, not the memory


def _without_earlier_listeners(settings) -> None:
    """Let invalidation listeners started by earlier tests of this process stop: each follows the
    default cache, and would otherwise also ask this test's Redis when it comes back."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    wait_for(lambda: not any(t.name == "routing-invalidations" for t in threading.enumerate()), 3)


def test_a_ready_redis_ends_the_memory_at_once(client, db, settings, own_redis):
    _without_earlier_listeners(settings)
    settings.CACHES = redis_cache(own_redis.url, TIMEOUT, down_seconds=60)
    own_redis.stop()
    read_many()
    own_redis.start()
    assert cache.set("key", "during") is None and cache.get("key") is None
    assert client.get("/readyz").status_code == 200
    cache.set("key", "after")
    assert cache.get("key") == "after"


def test_the_invalidation_listener_finds_redis_back_before_the_down_period_ends(
    settings, own_redis
):
    settings.CACHES = redis_cache(own_redis.url, TIMEOUT, down_seconds=60)
    routes = LocalCopies()
    routes.get(1)  # starts its listener
    assert wait_for(lambda: routes._listening)
    own_redis.stop()
    read_many()  # the memory is set for a minute
    own_redis.start()
    assert wait_for(lambda: routes._listening)  # it asked Redis anyway, in the background
    cache.set("key", "after")
    assert cache.get("key") == "after"


def test_after_the_down_period_exactly_one_caller_asks_redis_again():
    breaker = Breaker(down_seconds=0.05)
    breaker.failed("redis:6379", TimeoutError("hung"))
    with pytest.raises(RedisMarkedDown):
        breaker.admit()
    time.sleep(0.06)
    admitted, refused, start = [], [], threading.Barrier(8)

    def ask() -> None:
        start.wait()
        try:
            breaker.admit()
            admitted.append(1)
        except RedisMarkedDown:
            refused.append(1)

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert (len(admitted), len(refused)) == (1, 7)
    breaker.answered()  # the one that asked got an answer: everyone may ask
    breaker.admit()
    assert not breaker.is_open


def test_zero_seconds_turns_the_memory_off():
    breaker = Breaker(down_seconds=0)
    breaker.failed("redis:6379", TimeoutError("hung"))
    breaker.admit()
    assert not breaker.is_open


def test_an_outage_is_logged_once_when_it_starts_and_once_when_it_ends(caplog):
    breaker = Breaker(down_seconds=0.01)
    with caplog.at_level(logging.WARNING, logger="portal.ops.redis_breaker"):
        for _ in range(3):
            breaker.failed("redis:6379", TimeoutError("hung"))
            time.sleep(0.02)
            breaker.admit()  # asks again, fails again
        breaker.answered()
        breaker.answered()
    assert [record.getMessage().split(":")[0] for record in caplog.records] == [
        "Redis at redis",
        "Redis answers again",
    ]


def test_calls_refused_while_redis_is_remembered_down_are_not_logged_one_by_one(refused, caplog):
    with caplog.at_level(logging.WARNING):
        read_many()
    by_logger = Counter(record.name for record in caplog.records)
    assert by_logger == {
        "django_redis.cache": 1,
        "portal.ops.redis_breaker": 1,
    }  # the first failure


@pytest.mark.parametrize(
    ("url", "connection_class"),
    [
        ("rediss://127.0.0.1:6380/0", BreakerSSLConnection),
        ("unix:///run/redis.sock?db=0", BreakerUnixConnection),
    ],
)
def test_tls_and_socket_urls_keep_their_kind_of_connection(url, connection_class):
    assert BreakerConnectionPool.from_url(url).connection_class is connection_class


def test_settings_put_the_memory_under_a_redis_cache_and_refuse_a_negative_time():
    show = "from django.conf import settings; print(settings.CACHES['default']['OPTIONS'])"
    redis = {"DEBUG": "true", "CACHE_URL": "redis://127.0.0.1:6379/0"}
    result = manage("shell", "-c", show, **redis, CACHE_DOWN_SECONDS="2")
    assert "'portal.ops.redis_breaker.BreakerConnectionPool'" in result.stdout, result.stderr
    assert "{'down_seconds': 2.0}" in result.stdout
    refused = manage("check", **redis, CACHE_DOWN_SECONDS="-1")
    assert refused.returncode != 0 and "CACHE_DOWN_SECONDS" in refused.stderr
