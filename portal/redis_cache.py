"""Django's Redis cache backend, keeping one Redis client per connection pool.

Django's stock client builds a new `redis.Redis` object for every cache call; with redis-py 8
that costs more than the network round trip itself (about 0.2 ms), and the answer_url makes
several cache calls per request. The client object is thread-safe and shares the pool, so one
per pool is enough.
"""

from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class ReusedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            pool = self._pools.get(index) or self._get_connection_pool(write)
            client = self._clients[index] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    """Use as BACKEND "portal.redis_cache.RedisCache" (settings do so for redis:// CACHE_URLs)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient


def redis_client():
    """The raw Redis client behind the default cache, or None when the cache is not Redis."""
    get_client = getattr(getattr(cache, "_cache", None), "get_client", None)
    return get_client(write=True) if get_client else None
