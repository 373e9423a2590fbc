"""The one door through which every webhook finds its project: by Stringee projectId, from this
worker's copy, else the shared cache, else the database, then checked against the URL's token.

Each projectId has one entry, `(project, routing data)`, stored in the shared cache under
`answer-route:<projectId>` and copied into each worker (portal.webhooks.local_copies). An entry
that carries routing is written with a random stamp (`answer-route-stamp:<projectId>`, written and
deleted with it): a worker's copy past its time is renewed, not read again, while the shared
stamp is still the one it was copied with. The
routing data is opaque here: the routing app gives the function that loads it (`load_routing`,
set from routing.apps) and only callers that route ask for it. The event_url fills a cold entry
with the project alone (1 query); the answer_url adds the routing data (2 queries cold, 0 warm).

Every database read here is bounded by `ROUTING_DATABASE_DEADLINE`. When the database fails or
does not answer in time, the worker's last good entry of the project answers instead, if it is
at most `ROUTING_STALE_SECONDS` old (stale-if-error), so warm routing survives an outage of
PostgreSQL whatever Redis lost before it. The worker then leaves the database alone for
`ROUTING_DATABASE_RETRY_SECONDS` wherever a last good entry can answer (one log line, one
deadline's wait per worker, not one per call), or until a change of any project is seen
(committed, so the database answers again); a project with no such entry still asks.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError

from portal.errors import WebhookRejected
from portal.models import Project
from portal.webhooks.deadline import database_deadline
from portal.webhooks.local_copies import local_copies

Entry = tuple[Project | None, Any]  # (None, None): no such project; (project, None): no routing
RoutingLoader = Callable[[Project], Any]

UNKNOWN_PROJECT_SECONDS = 60  # unknown ids are remembered briefly, so bad URLs spare the database
RENEWAL_BATCH = 1000  # copies renewed by one read of their stamps (one Redis MGET)

logger = logging.getLogger(__name__)


class _Routing:
    """Who loads a project's routing data (the routing app, once it is ready)."""

    load: RoutingLoader | None = None


_routing = _Routing()


def load_routing_with(loader: RoutingLoader) -> None:
    """Make `loader` (a project → its routing data, from the database) what `entry` adds to a
    project when a caller asks for routing."""
    _routing.load = loader


def cache_key(stringee_project_id: int) -> str:
    return f"answer-route:{stringee_project_id}"


def stamp_key(stringee_project_id: int) -> str:
    """The key of the shared entry's stamp: a random number written with each entry that carries
    routing, and deleted with it."""
    return f"answer-route-stamp:{stringee_project_id}"


def entry(stringee_project_id: int, *, with_routing: bool) -> Entry:
    """The project Stringee knows as `stringee_project_id` (None if unknown) and, if asked, its
    routing data: this worker's copy (renewed if the shared entry is still the one it copied),
    else the shared cache, else the database."""
    found, generation = local_copies.get(stringee_project_id)
    if _complete(found, with_routing):
        return found
    renewed = _renewed(stringee_project_id, generation, with_routing)
    if renewed is not None:
        return renewed
    key, stamp_at = cache_key(stringee_project_id), stamp_key(stringee_project_id)
    shared = cache.get_many([key, stamp_at])  # one round trip: the entry and its stamp
    stamp = None
    if shared.get(key) is not None:  # another worker may have added the routing this copy lacks
        found, stamp = shared[key], shared.get(stamp_at)
    if not _complete(found, with_routing):
        stale = local_copies.last_good(stringee_project_id, settings.ROUTING_STALE_SECONDS)
        if stale is not None and local_copies.leaving_database_alone():
            return stale[0]
        try:
            with database_deadline(settings.ROUTING_DATABASE_DEADLINE):
                found = _from_database(stringee_project_id, found, with_routing)
        except DatabaseError as error:
            local_copies.database_failed()
            return _stale_or_raise(stringee_project_id, stale, error)
        stamp = None
        if found == (None, None):
            cache.set(key, found, UNKNOWN_PROJECT_SECONDS)
        elif found[1] is not None:  # the entry and its new stamp in one atomic write
            stamp = secrets.randbits(62)  # an integer: Redis keeps it as digits, read unpickled
            cache.set_many({key: found, stamp_at: stamp}, settings.ROUTING_CACHE_SECONDS)
        else:  # never overwrite an entry that an answer_url completed meanwhile
            cache.add(key, found, settings.ROUTING_CACHE_SECONDS)
    local_copies.put(stringee_project_id, found, generation, stamp)
    return found


def _renewed(stringee_project_id: int, generation: int, with_routing: bool) -> Entry | None:
    """This worker's copy that is past its ROUTING_LOCAL_SECONDS, kept for as long again if the
    shared entry still has the stamp the copy was taken with (nothing changed it since): a small
    read instead of reading and unpacking the whole entry. The same read renews this worker's
    other copies that are in the second half of their time (RENEWAL_BATCH at most), so a worker
    serving many tenants reads stamps about twice per ROUTING_LOCAL_SECONDS, not once per
    tenant. None: read the entry afresh."""
    batch = local_copies.renewal_batch(stringee_project_id, RENEWAL_BATCH)
    if not batch or not _complete(batch[0][1], with_routing):
        return None
    shared = cache.get_many([stamp_key(key) for key, _, _ in batch])
    unchanged: list[int] = []
    changed: list[int] = []
    for key, _, stamp in batch:
        (unchanged if shared.get(stamp_key(key)) == stamp else changed).append(key)
    local_copies.renew(unchanged, changed, generation)
    return batch[0][1] if unchanged[:1] == [stringee_project_id] else None


def _complete(found: Entry | None, with_routing: bool) -> bool:
    """Whether `found` answers the caller: a known project with its routing if asked, or none."""
    return found is not None and (found[1] is not None or found[0] is None or not with_routing)


def _from_database(stringee_project_id: int, found: Entry | None, with_routing: bool) -> Entry:
    """`found` completed from the database: the project if missing, its routing if asked."""
    if found is None:
        project = Project.objects.filter(stringee_project_id=stringee_project_id).first()
        if project is None:
            return (None, None)
        found = (project, None)
    project = found[0]
    if with_routing and project is not None and found[1] is None:
        if _routing.load is None:
            raise LookupError("No app loads routing data (routing is not installed).")
        return (project, _routing.load(project))
    return found


def _stale_or_raise(
    stringee_project_id: int, stale: tuple[Entry, float] | None, error: DatabaseError
) -> Entry:
    """The last good entry of the project when the database cannot give a fresh one; `error`
    again if there is none recent enough."""
    if stale is None:
        raise error
    found, age = stale
    logger.warning(
        "Routing project %s from this process's copy of %.0f s ago, and leaving the database "
        "alone for %g s wherever such a copy can answer: it cannot be read (%s)",
        stringee_project_id,
        age,
        settings.ROUTING_DATABASE_RETRY_SECONDS,
        error,
    )
    return found


def webhook_project(stringee_project_id: int) -> Project | None:
    """The project Stringee knows as `stringee_project_id`, without its routing: 1 query cold, 0
    warm."""
    return entry(stringee_project_id, with_routing=False)[0]


def authorize(project: Project | None, stringee_project_id: int, token: str) -> Project:
    """`project` if it is active and `token` is its webhook token; else WebhookRejected."""
    if project is None or not project.is_active:
        raise WebhookRejected(404, "unknown_project", f"No active project {stringee_project_id}.")
    if not project.accepts_webhook_token(token):
        raise WebhookRejected(
            403, "bad_token", "The token in the URL is not this project's webhook token."
        )
    return project


def project_for_webhook(stringee_project_id: int, token: str) -> Project:
    """The active project the URL names, if `token` is its webhook token; else WebhookRejected."""
    return authorize(webhook_project(stringee_project_id), stringee_project_id, token)


def drop(stringee_project_ids: list[int]) -> None:
    """Forget these projects' entries: in the shared cache, this worker, and every other worker."""
    cache.delete_many(
        [key(stringee_id) for stringee_id in stringee_project_ids for key in (cache_key, stamp_key)]
    )
    local_copies.drop(stringee_project_ids)
