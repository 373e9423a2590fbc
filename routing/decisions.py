"""Parking of routing decisions: the answer_url and its callbacks hand each decision to the call's
events.

The answer_url runs before Stringee sends any event of the call and must not write to the
database, so it appends its decision to a per-call list in the cache *before it replies* (one
Redis round trip, nothing held in the worker: a worker killed after replying has lost nothing).
Every event of the call reads the whole list, calls.ingest stores it as CallDecision rows (once
each, by token), and only then are exactly those entries removed: a failure or a killed worker
in between leaves them parked for the call's next event. Lists are appended, never overwritten,
so the answer, each IVR step, on-fail and ring step are all kept, in order.

A phone-originated answer_url names the call `uuid`, not `callId`, and Stringee does not say
whether that equals the events' `call_id`. Such a decision is parked under the uuid (found when
it is the call id) and also under (project, caller, called number). The first event of a call
whose id has nothing parked under it looks there, takes the decision parked closest in time
within JOIN_WINDOW_MS, and links the uuid to the call id so that callbacks parked later under
the uuid are collected too. Limits: docs/events.md.
"""

from __future__ import annotations

import functools
import json
import logging
import threading
import time
import uuid as uuid_lib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from django.core.cache import cache
from redis.commands.core import Script
from redis.exceptions import RedisError

from portal.ops.redis_cache import redis_client
from portal.phone import normalize_or_none
from portal.webhooks.redaction import redact

logger = logging.getLogger(__name__)

DECISION_TTL_SECONDS = 24 * 3600
JOIN_WINDOW_MS = 60_000
# A list keeps its newest entries only: a call's steps are far fewer, and the list of a caller
# and called number (uuid-only answers, taken only when a join needs them) would otherwise grow
# with every call between the two until a day passes without one.
MAX_PARKED = 100

_local_lock = threading.Lock()  # the in-process (locmem) cache: atomic within the one process


def _without_redis(nothing: Callable[[], object]):
    """While Redis is unreachable, reading decisions finds `nothing()` (they stay parked for a later
    event of the call) and removing them gives up: the event itself is never refused for it."""

    def decorate(function):
        @functools.wraps(function)
        def degraded(*args, **kwargs):
            try:
                return function(*args, **kwargs)
            except RedisError:
                logger.warning("Redis unreachable: %s skipped (call decisions)", function.__name__)
                return nothing()

        return degraded

    return decorate


def _redis():
    """The raw Redis client behind the default cache (django-redis), or None."""
    return redis_client()


def _script(client, lua: str) -> Script:
    """`lua` as a redis-py Script: sent by its SHA1 (EVALSHA), loaded again if Redis lost it."""
    return client.register_script(lua)


def _by_id(project_id: int, call_id: str) -> str:
    return f"routing-decisions:{project_id}:{call_id}"


def _by_parties(project_id: int, caller: str, called: str) -> str:
    return f"routing-decisions-by-parties:{project_id}:{caller}:{called}"


def _link(project_id: int, call_id: str) -> str:
    return f"routing-decisions-uuid-of:{project_id}:{call_id}"


def _party(value: str) -> str:
    return normalize_or_none(value) or value


# Appends ARGV[3..] to the lists KEYS[1..], keeps the newest ARGV[2] entries of each and gives
# it ARGV[1] seconds to live: one command (its reply is one integer), cheaper to send and read
# than a pipeline.
_PARK_SCRIPT = """
for i, key in ipairs(KEYS) do
  redis.call('RPUSH', key, ARGV[i + 2])
  redis.call('LTRIM', key, -tonumber(ARGV[2]), -1)
  redis.call('EXPIRE', key, ARGV[1])
end
return #KEYS
"""


def _append(pushes: list[tuple[str, str]]) -> None:
    client = _redis()
    if client is not None:
        keys = [cache.make_key(key) for key, _ in pushes]
        args: list[int | str] = [DECISION_TTL_SECONDS, MAX_PARKED, *(raw for _, raw in pushes)]
        _script(client, _PARK_SCRIPT)(keys=keys, args=args)
        return
    with _local_lock:
        for key, raw in pushes:
            cache.set(key, [*cache.get(key, []), raw][-MAX_PARKED:], DECISION_TTL_SECONDS)


def park_decision(project_id: int, call, params: Mapping[str, str], decision: dict) -> None:
    """Append what was decided for `call` to its parked list, before the webhook replies."""
    if not call.call_id:
        return
    entry = {"token": uuid_lib.uuid4().hex, "at_us": time.time_ns() // 1000, "decision": decision}
    # The SCCO holds the portal's callback URLs; stored and shown by the API, they lose their token.
    raw = redact(json.dumps(entry, default=str))
    pushes = [(_by_id(project_id, call.call_id), raw)]
    if params.get("uuid") and not params.get("callId"):  # phone-originated: the id may differ
        joined = redact(json.dumps({**entry, "uuid": call.call_id}, default=str))
        pushes.append((_by_parties(project_id, _party(call.from_raw), _party(call.to_raw)), joined))
    try:
        _append(pushes)
    except RedisError:  # an outage: one line per call, not a traceback per call
        logger.warning("Redis unreachable: the routing decision of call %s is lost", call.call_id)
    except Exception:  # a lost decision costs a line of the call's story, never the call itself
        logger.exception("Could not park a routing decision for call %s", call.call_id)


# Reads a call's list and, when a uuid is linked to the call, the uuid's list, without removing
# anything: {key, count, entries..., key, count, entries...}. One round trip.
_PEEK_SCRIPT = """
local found = {}
local keys = {KEYS[1]}
local linked = redis.call('GET', KEYS[2])
if linked then table.insert(keys, ARGV[1] .. linked) end
for _, key in ipairs(keys) do
  local entries = redis.call('LRANGE', key, 0, -1)
  if #entries > 0 then
    table.insert(found, key)
    table.insert(found, #entries)
    for _, raw in ipairs(entries) do table.insert(found, raw) end
  end
end
return found
"""


@dataclass(frozen=True)
class Parked:
    """Decisions found parked for a call, oldest first; `release` removes exactly these.

    Reading and removing are two steps so that decisions leave the cache only once they are
    stored: a worker killed in between leaves them parked for the call's next event (the
    call's record keeps each decision once, by its token). Entries are removed by value, so two
    events of one call releasing the same entries cannot remove one parked in between.
    """

    entries: list[dict] = field(default_factory=list)
    found: tuple[tuple[str, str], ...] = ()  # (list's key, raw entry) of each entry


@_without_redis(Parked)
def parked_decisions(project_id: int, call_id: str) -> Parked:
    """The decisions parked for the call (and for the uuid linked to it), left in place."""
    client = _redis()
    if client is not None:
        keys = [
            cache.make_key(_by_id(project_id, call_id)),
            cache.make_key(_link(project_id, call_id)),
        ]
        uuid_prefix = cache.make_key(_by_id(project_id, ""))
        reply = _script(client, _PEEK_SCRIPT)(keys=keys, args=[uuid_prefix])
        found, at = [], 0
        while at < len(reply):
            key, count = reply[at].decode(), int(reply[at + 1])
            found += [(key, raw.decode()) for raw in reply[at + 2 : at + 2 + count]]
            at += 2 + count
    else:
        with _local_lock:
            keys = [_by_id(project_id, call_id)]
            linked = cache.get(_link(project_id, call_id))
            if linked:
                keys.append(_by_id(project_id, linked))
            found = [(key, raw) for key in keys for raw in cache.get(key, [])]
    return Parked([json.loads(raw) for _, raw in found], tuple(found))


_RELEASE_SCRIPT = """
for i, key in ipairs(KEYS) do redis.call('LREM', key, 1, ARGV[i]) end
return #KEYS
"""


@_without_redis(lambda: None)
def release(parked: Parked) -> None:
    """Remove the decisions `parked` found (those parked since stay for the next event)."""
    if not parked.found:
        return
    client = _redis()
    if client is not None:
        keys, raws = zip(*parked.found, strict=True)
        _script(client, _RELEASE_SCRIPT)(keys=keys, args=raws)
        return
    with _local_lock:
        for key, raw in parked.found:
            rest = cache.get(key, [])
            if raw in rest:
                rest.remove(raw)
            if rest:
                cache.set(key, rest, DECISION_TTL_SECONDS)
            else:
                cache.delete(key)


def _set_link(project_id: int, call_id: str, uuid: str) -> None:
    client = _redis()
    if client is not None:
        client.set(cache.make_key(_link(project_id, call_id)), uuid, ex=DECISION_TTL_SECONDS)
    else:
        cache.set(_link(project_id, call_id), uuid, DECISION_TTL_SECONDS)


@_without_redis(list)
def join_by_parties(
    project_id: int, call_id: str, callers: Iterable[str], called: Iterable[str], at_ms: int
) -> list[dict]:
    """The uuid-only decision parked for this caller and called number nearest `at_ms` (if any).

    It is removed from the by-parties list (only one call can take it) and its uuid is linked to
    `call_id`, so that decisions parked later under the uuid reach this call.
    """
    keys = sorted({_by_parties(project_id, _party(a), _party(b)) for a in callers for b in called})
    if not keys:
        return []
    candidates = []
    for key, found in zip(keys, _peek(keys), strict=True):
        for raw in found:
            entry = json.loads(raw)
            distance = abs(entry["at_us"] // 1000 - at_ms)
            if distance <= JOIN_WINDOW_MS:
                candidates.append((distance, entry["at_us"], key, raw, entry))
    for _, _, key, raw, entry in sorted(candidates, key=lambda c: c[:2]):
        if _claim(key, raw):
            if entry["uuid"] != call_id:
                _set_link(project_id, call_id, entry["uuid"])
            return [entry]
    return []


def _peek(keys: list[str]) -> list[list[str]]:
    client = _redis()
    if client is not None:
        pipe = client.pipeline(transaction=False)
        for key in keys:
            pipe.lrange(cache.make_key(key), 0, -1)
        return [[raw.decode() for raw in found] for found in pipe.execute()]
    return [list(cache.get(key, [])) for key in keys]


def _claim(key: str, raw: str) -> bool:
    """Remove one copy of `raw` from the list; False if another call took it first."""
    client = _redis()
    if client is not None:
        return client.lrem(cache.make_key(key), 1, raw) == 1
    with _local_lock:
        entries = cache.get(key, [])
        if raw not in entries:
            return False
        entries.remove(raw)
        cache.set(key, entries, DECISION_TTL_SECONDS)
        return True
