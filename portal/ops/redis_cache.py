"""The raw Redis client behind the default cache (django-redis), for pub/sub and pipelines.

The cache itself is `django_redis.cache.RedisCache` (settings choose it for redis:// CACHE_URLs,
with short socket timeouts and IGNORE_EXCEPTIONS, so a Redis outage reads as cache misses).
Code that needs Redis itself (the routing invalidation channel, batched writes) asks here, and
falls back to the plain cache API when this returns None.
"""

from __future__ import annotations

from django.core.cache import caches
from django_redis import get_redis_connection
from django_redis.cache import RedisCache
from redis import Redis


def redis_client() -> Redis | None:
    """The raw Redis client behind the default cache, or None when the cache is not Redis."""
    if not isinstance(caches["default"], RedisCache):
        return None
    return get_redis_connection("default")
