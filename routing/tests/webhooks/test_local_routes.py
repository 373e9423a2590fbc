"""Workers keep their own copy of a routing entry, and drop it as soon as any process changes it."""

import time

import pytest
import redis

from portal.tests.helpers import wait_for
from portal.webhooks.local_copies import LocalCopies
from routing.engine.types import Table

REDIS_URL = "redis://127.0.0.1:6379/11"


@pytest.fixture
def redis_cache(settings):
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.ConnectionError:
        pytest.skip("needs the Redis service on 127.0.0.1:6379")
    settings.CACHES = {
        "default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": REDIS_URL}
    }


@pytest.fixture
def in_process_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.ROUTING_LOCAL_SECONDS = 60


def test_a_change_in_one_worker_drops_the_copy_in_another(redis_cache):
    changing_worker, other_worker = LocalCopies(), LocalCopies()
    other_worker.get(42)  # first use starts its listener
    assert wait_for(lambda: other_worker._listening), "listener never subscribed"
    _, generation = other_worker.get(42)
    other_worker.put(42, "routing table v1", generation)
    assert other_worker.get(42)[0] == "routing table v1"

    changing_worker.drop([42])

    assert wait_for(lambda: other_worker.get(42)[0] is None), "the other worker kept a stale table"


def test_a_read_that_raced_a_change_is_not_kept(in_process_cache):
    routes = LocalCopies()
    _, generation = routes.get(7)  # a request starts reading the shared cache...
    routes.drop([7], announce=False)  # ...a change lands meanwhile...
    routes.put(7, "table read before the change", generation)  # ...its stale read is not kept
    assert routes.get(7)[0] is None


def test_copies_expire_after_routing_local_seconds_and_can_be_turned_off(
    in_process_cache, settings, monkeypatch
):
    routes = LocalCopies()
    _, generation = routes.get(9)
    routes.put(9, "table", generation)
    assert routes.get(9)[0] == "table"
    now = time.monotonic()
    monkeypatch.setattr("portal.webhooks.local_copies.time.monotonic", lambda: now + 61)
    assert routes.get(9)[0] is None
    monkeypatch.undo()
    routes.put(9, "table", routes.get(9)[1])
    settings.ROUTING_LOCAL_SECONDS = 0
    assert routes.get(9)[0] is None


def _table(numbers: int) -> Table:
    """A project's table holding `numbers` numbers, one app user and one rule."""
    return Table(
        project_id=1,
        time_zone="Asia/Ho_Chi_Minh",
        fallback_message="Not available",
        numbers=frozenset(f"+8489910{n:04d}" for n in range(numbers)),
        users=frozenset({"alice"}),
        rules=({"id": 1},),
        by_number={},
        by_user={},
        general=(0,),
    )


def test_a_table_weighs_the_rows_it_holds():
    assert _table(97).rows == 97 + 1 + 1


def test_a_workers_copies_stay_under_their_ceiling_dropping_the_least_recently_used(
    in_process_cache, settings
):
    settings.ROUTING_LOCAL_MAX_ROWS = 250  # a project with 97 numbers weighs 100
    routes = LocalCopies()
    for project in (1, 2):
        routes.put(project, ("project", _table(97)), routes.get(project)[1])
    assert routes.get(1)[0] is not None  # project 1 called again: now the most recently used

    routes.put(3, ("project", _table(97)), routes.get(3)[1])

    assert routes.get(2)[0] is None, "the least recently used copy should have gone"
    assert routes.get(1)[0] is not None and routes.get(3)[0] is not None
    assert routes._entries.rows == 200 and routes._last_good.rows == 200
    # the last good copies have the same ceiling; they go in the order they were stored
    assert routes.last_good(1, max_age=3600) is None
    assert routes.last_good(2, max_age=3600) is not None


def test_a_table_larger_than_the_ceiling_is_not_kept(in_process_cache, settings):
    settings.ROUTING_LOCAL_MAX_ROWS = 50
    routes = LocalCopies()
    routes.put(4, ("project", _table(97)), routes.get(4)[1])
    assert routes.get(4)[0] is None and routes._entries.rows == 0
