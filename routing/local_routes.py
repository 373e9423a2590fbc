"""Process-local copies of webhook route entries, dropped the moment any process changes a project.

Reading the shared cache costs a network round trip per call, more than routing itself. Each
worker process therefore keeps the entries it has used. Every change to a project's routing
data drops the copy in the process that made it at once, and is announced on a Redis channel;
a listener thread in each process drops that project's copy on receipt. Copies are used even
while the listener is not subscribed (Redis down or restarting), so a Redis outage does not
send every call to the database: then a change made by another process is seen here after at
most `ROUTING_LOCAL_SECONDS`, when every copy expires anyway. When the listener (re)subscribes
it drops every copy, since changes announced while nobody listened are unknown. The listener
retries every second even while its process remembers Redis down (portal.redis_breaker): in the
background it finds out that Redis is back sooner than a request would, and no request waits.
"""

import logging
import os
import threading
import time
from collections import OrderedDict
from typing import Any

from django.conf import settings

from portal.redis_breaker import asking_anyway
from portal.redis_cache import redis_client

logger = logging.getLogger(__name__)

CHANNEL = "routing-invalidations"
MAX_ENTRIES = 20_000


class LocalRoutes:
    def __init__(self) -> None:
        self._entries: OrderedDict[int, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._generation = 0  # bumped by every drop: a read that raced a drop is not stored
        self._pid: int | None = None
        self._listening = False

    # -- reads and writes from request threads ---------------------------------------------
    def get(self, key: int) -> tuple[Any, int]:
        """(the entry or None, the generation to hand back to `put`)."""
        with self._lock:
            generation = self._generation
            if not self._usable():
                return None, generation
            item = self._entries.get(key)
            if item is None or item[0] < time.monotonic():
                return None, generation
            self._entries.move_to_end(key)
            return item[1], generation

    def put(self, key: int, entry: Any, generation: int) -> None:
        with self._lock:
            if generation != self._generation or not self._usable():
                return
            self._entries[key] = (time.monotonic() + settings.ROUTING_LOCAL_SECONDS, entry)
            self._entries.move_to_end(key)
            while len(self._entries) > MAX_ENTRIES:
                self._entries.popitem(last=False)

    def drop(self, keys: list[int], announce: bool = True) -> None:
        """Forget `keys` here, and (announce) in every other process through Redis."""
        with self._lock:
            self._generation += 1
            for key in keys:
                self._entries.pop(key, None)
        client = redis_client() if announce else None
        if client is not None:
            for key in keys:
                try:
                    client.publish(CHANNEL, str(key))
                except Exception:  # the entry expires anyway; routing must not fail on this
                    logger.exception("Could not announce a routing change")

    def clear(self) -> None:
        with self._lock:
            self._generation += 1
            self._entries.clear()

    # -- the listener thread ---------------------------------------------------------------
    def _usable(self) -> bool:
        if settings.ROUTING_LOCAL_SECONDS <= 0:
            return False
        if self._pid != os.getpid():  # first use in this process (gunicorn forks workers)
            self._pid = os.getpid()
            self._entries.clear()
            self._listening = False
            if redis_client() is not None:
                threading.Thread(
                    target=self._listen, name="routing-invalidations", daemon=True
                ).start()
        return True

    def _listen(self) -> None:
        with asking_anyway():
            self._listen_on()

    def _listen_on(self) -> None:
        failing = False
        while True:
            client = redis_client()
            if client is None:  # the cache is no longer Redis (settings changed): nothing to hear
                return
            pubsub = client.pubsub()
            try:
                pubsub.subscribe(CHANNEL)
                confirmation = pubsub.get_message(timeout=5)
                if confirmation is None or confirmation.get("type") != "subscribe":
                    raise ConnectionError("Redis did not confirm the subscription")
                self.clear()  # changes made while nobody listened are unknown: start afresh
                self._listening, failing = True, False
                while True:
                    # Polling with a timeout, not listen(): an idle channel is not an error
                    # even though the cache's connections have a short socket timeout.
                    message = pubsub.get_message(timeout=1.0)
                    if message is not None and message.get("type") == "message":
                        self.drop([int(message["data"])], announce=False)
            except Exception:
                if not failing:  # once per outage, not every retry
                    logger.exception(
                        "Routing invalidation listener lost Redis; retrying every second"
                    )
                failing = True
            self._listening = False
            try:
                pubsub.close()
            except Exception:  # the connection is gone anyway
                logger.debug("Could not close the invalidation subscription", exc_info=True)
            time.sleep(1)


local_routes = LocalRoutes()
