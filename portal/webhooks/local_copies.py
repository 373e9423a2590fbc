"""Process-local copies of webhook route entries, dropped the moment any process changes a project.

Reading the shared cache costs a network round trip per call, more than routing itself. Each
worker process therefore keeps the entries it has used. Every change to a project's routing
data drops the copy in the process that made it at once, and is announced on a Redis channel;
a listener thread in each process drops that project's copy on receipt. Copies are used even
while the listener is not subscribed (Redis down or restarting), so a Redis outage does not
send every call to the database: then a change made by another process is seen here after at
most `ROUTING_LOCAL_SECONDS`, when every copy expires anyway. When the listener (re)subscribes
it drops every copy, since changes announced while nobody listened are unknown. A copy past its
time is not thrown away at once: kept with the stamp of the shared entry it came from, it is
renewed by the door (portal.webhooks.door) if that stamp has not changed. A worker's copies have
a ceiling, ROUTING_LOCAL_MAX_ROWS routing rows; past it the least recently used go. The listener
retries every second even while its process remembers Redis down (portal.ops.redis_breaker): in the
background it finds out that Redis is back sooner than a request would, and no request waits.

Each process also keeps the last good entry of every project it has routed (with its table),
untouched by expiry, drops and resubscriptions: when neither this process's fresh copy, nor the
shared cache, nor the database can give the entry (PostgreSQL down or hung after Redis lost
everything), the door (portal.webhooks.door) answers from it for at most
`ROUTING_STALE_SECONDS` (stale-if-error).
"""

import logging
import os
import threading
import time
from collections import OrderedDict
from typing import Any

from django.conf import settings

from portal.ops.redis_breaker import asking_anyway
from portal.ops.redis_cache import redis_client

logger = logging.getLogger(__name__)

CHANNEL = "routing-invalidations"


def entry_rows(entry: Any) -> int:
    """What an entry `(project, routing data)` weighs against ROUTING_LOCAL_MAX_ROWS: 1 for the
    project, plus its routing data's `rows` (numbers, app users, rules, menus, …) if it has any."""
    return 1 + getattr(entry[1], "rows", 0)


class _Bounded:
    """Entries by projectId, least recently used first, that together weigh at most
    ROUTING_LOCAL_MAX_ROWS: storing one past the ceiling forgets the least recently used."""

    def __init__(self) -> None:
        self.items: OrderedDict[int, tuple[float, Any, int | None]] = OrderedDict()
        self.rows = 0

    def get(self, key: int) -> tuple[float, Any, int | None] | None:
        item = self.items.get(key)
        if item is not None:
            self.items.move_to_end(key)
        return item

    def put(self, key: int, item: tuple[float, Any, int | None]) -> None:
        """Store `item` (`(time, entry, stamp)`) as the newest."""
        self.pop(key)
        self.items[key] = item
        self.rows += entry_rows(item[1])
        while self.rows > settings.ROUTING_LOCAL_MAX_ROWS and self.items:
            self.rows -= entry_rows(self.items.popitem(last=False)[1][1])

    def renew(self, key: int, expires: float) -> None:
        """Give `key`'s item a new time, in its place (a renewal is not a use)."""
        item = self.items.get(key)
        if item is not None:
            self.items[key] = (expires, item[1], item[2])

    def pop(self, key: int) -> None:
        item = self.items.pop(key, None)
        if item is not None:
            self.rows -= entry_rows(item[1])

    def clear(self) -> None:
        self.items.clear()
        self.rows = 0


class LocalCopies:
    def __init__(self) -> None:
        self._entries = _Bounded()  # (expires at, entry, the shared entry's stamp)
        self._last_good = _Bounded()  # (stored at, entry, None)
        self._database_down_until = 0.0  # routing reads leave the database alone until then
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
            return item[1], generation

    def renewal_batch(self, key: int, limit: int) -> list[tuple[int, Any, int]]:
        """The copies to renew, as (key, entry, stamp): `key`'s first, if it was stored with a
        stamp of the shared entry, then up to `limit` in all of the other copies with a stamp in
        the second half of their time (or past it), least recently used first.
        Renewed together, they cost one round trip where one by one they would cost one each."""
        with self._lock:
            first = self._entries.items.get(key)
            if not self._usable() or first is None or first[2] is None:
                return []
            batch = [(key, first[1], first[2])]
            due = time.monotonic() + settings.ROUTING_LOCAL_SECONDS / 2
            for other, (expires, entry, stamp) in self._entries.items.items():
                if len(batch) >= limit:
                    break
                if other != key and stamp is not None and expires <= due:
                    batch.append((other, entry, stamp))
            return batch

    def renew(self, unchanged: list[int], changed: list[int], generation: int) -> None:
        """Keep the copies of `unchanged` for another ROUTING_LOCAL_SECONDS, unless a drop came
        since `get` (the door found their shared entries' stamps still those they were taken
        with), and forget those of `changed` (their shared entries were changed or are gone)."""
        with self._lock:
            for key in changed:
                self._entries.pop(key)
            if generation != self._generation or not self._usable():
                return
            expires = time.monotonic() + settings.ROUTING_LOCAL_SECONDS
            for key in unchanged:
                self._entries.renew(key, expires)

    def put(self, key: int, entry: Any, generation: int, stamp: int | None = None) -> None:
        """Keep `entry` for ROUTING_LOCAL_SECONDS, unless a drop came since `get`; `stamp`: the
        shared entry's stamp when `entry` was copied from it or written with it (it lets the
        door renew the copy: `renewal_batch`)."""
        with self._lock:
            if generation != self._generation or not self._usable():
                return
            now = time.monotonic()
            self._entries.put(key, (now + settings.ROUTING_LOCAL_SECONDS, entry, stamp))
            if entry[0] is not None and entry[1] is not None:
                self._last_good.put(key, (now, entry, None))

    def last_good(self, key: int, max_age: float) -> tuple[Any, float] | None:
        """(the newest entry with a table this process stored for `key`, its age in seconds), if
        it is at most `max_age` old: routing's answer when nothing fresher can be had."""
        with self._lock:
            item = self._last_good.items.get(key)  # a read on an error does not count as a use
            if item is None:
                return None
            age = time.monotonic() - item[0]
            return (item[1], age) if age <= max_age else None

    def drop(self, keys: list[int], announce: bool = True) -> None:
        """Forget `keys` here, and (announce) in every other process through Redis."""
        with self._lock:
            self._generation += 1
            self._database_down_until = 0.0  # a change was committed: the database answers
            for key in keys:
                self._entries.pop(key)
        client = redis_client() if announce else None
        if client is not None:
            for key in keys:
                try:
                    client.publish(CHANNEL, str(key))
                except Exception:  # the entry expires anyway; routing must not fail on this
                    logger.exception("Could not announce a routing change")

    def database_failed(self) -> None:
        """A routing read found the database unreadable: last good entries answer without asking
        it again for ROUTING_DATABASE_RETRY_SECONDS, or until a change is seen."""
        self._database_down_until = time.monotonic() + settings.ROUTING_DATABASE_RETRY_SECONDS

    def leaving_database_alone(self) -> bool:
        return time.monotonic() < self._database_down_until

    def clear(self) -> None:
        """Forget every fresh copy (the last good entries stay: they serve only on errors)."""
        with self._lock:
            self._generation += 1
            self._database_down_until = 0.0
            self._entries.clear()

    def reset(self) -> None:
        """Forget everything, last good entries too (a new process; a test's fresh start)."""
        with self._lock:
            self._generation += 1
            self._database_down_until = 0.0
            self._entries.clear()
            self._last_good.clear()

    # -- the listener thread ---------------------------------------------------------------
    def _usable(self) -> bool:
        if settings.ROUTING_LOCAL_SECONDS <= 0:
            return False
        if self._pid != os.getpid():  # first use in this process (gunicorn forks workers)
            self._pid = os.getpid()
            self._entries.clear()
            self._last_good.clear()
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


local_copies = LocalCopies()
