"""The one cache door of webhooks: a projectId's project and routing table, and their invalidation.

The answer_url and its callbacks need the project and its compiled routing table on every call;
the event_url needs only the project. Both come from one entry per Stringee projectId,
`(project, table)`, stored in the shared cache under `answer-route:<projectId>` and copied into
each worker (portal.webhooks.local_copies). The table is loaded only when a caller needs it: the
event_url fills a cold entry with the project alone (1 query), the answer_url adds the table
(project + snapshot row: 2 queries cold, 0 warm), each read bounded by
`ROUTING_DATABASE_DEADLINE`. When the database fails or does not answer in time, the process's
last good entry of the project answers instead, if it is at most `ROUTING_STALE_SECONDS` old
(stale-if-error), so warm routing survives an outage of PostgreSQL whatever Redis lost before
it. The process then leaves the database alone for `ROUTING_DATABASE_RETRY_SECONDS` wherever a
last good entry can answer (one log line, one deadline's wait per process, not one per call),
or until a change of any project is seen (committed, so the database answers again); a project
with no such entry still asks. Whenever `tenant_data_changed` fires for a
project (rules, menus, numbers, users, the project itself, its webhook token), `invalidate`
drops that project's entry everywhere at once and again after the transaction commits, when
the snapshot row is rebuilt once however many rows the transaction changed.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.db.models.signals import post_delete, pre_delete
from django.dispatch import receiver

from portal.errors import WebhookRejected
from portal.models import Project
from portal.tenancy.policy import tenant_data_changed
from portal.webhooks.deadline import database_deadline
from portal.webhooks.local_copies import local_routes
from routing.engine.destinations import Table
from routing.models import RoutingTable
from routing.snapshot import SNAPSHOT_VERSION, build_snapshot

Entry = tuple[Project | None, Table | None]  # (None, None): no such project

_deleting = threading.local()  # projects being deleted: their cascade must not rebuild a table
_dirty = threading.local()  # projects changed in this thread whose rebuild has not run yet

_UNKNOWN_PROJECT_SECONDS = 60  # unknown ids are remembered briefly, so bad URLs spare the database

logger = logging.getLogger(__name__)


def _key(stringee_project_id: int) -> str:
    return f"answer-route:{stringee_project_id}"


# -- reads ----------------------------------------------------------------------------------------
def _entry(stringee_project_id: int, *, with_table: bool) -> Entry:
    """This worker's copy, else the shared cache, else the database; the table only if asked."""
    entry, generation = local_routes.get(stringee_project_id)
    if _complete(entry, with_table):
        return entry
    key = _key(stringee_project_id)
    shared = cache.get(key)  # another worker may have added the table this copy lacks
    if shared is not None:
        entry = shared
    if not _complete(entry, with_table):
        stale = local_routes.last_good(stringee_project_id, settings.ROUTING_STALE_SECONDS)
        if stale is not None and local_routes.leaving_database_alone():
            return stale[0]
        try:
            with database_deadline(settings.ROUTING_DATABASE_DEADLINE):
                entry = _from_database(stringee_project_id, entry, with_table)
        except DatabaseError as error:
            local_routes.database_failed()
            return _stale_or_raise(stringee_project_id, stale, error)
        if entry == (None, None):
            cache.set(key, entry, _UNKNOWN_PROJECT_SECONDS)
        elif entry[1] is not None:
            cache.set(key, entry, settings.ROUTING_CACHE_SECONDS)
        else:  # never overwrite an entry that an answer_url completed meanwhile
            cache.add(key, entry, settings.ROUTING_CACHE_SECONDS)
    local_routes.put(stringee_project_id, entry, generation)
    return entry


def _complete(entry: Entry | None, with_table: bool) -> bool:
    """Whether `entry` answers the caller: a known project with its table if asked, or none."""
    return entry is not None and (entry[1] is not None or entry[0] is None or not with_table)


def _from_database(stringee_project_id: int, entry: Entry | None, with_table: bool) -> Entry:
    """`entry` completed from the database: the project if missing, its table if asked."""
    if entry is None:
        project = Project.objects.filter(stringee_project_id=stringee_project_id).first()
        if project is None:
            return (None, None)
        entry = (project, None)
    project = entry[0]
    if with_table and project is not None and entry[1] is None:
        return (project, _load_table(project))
    return entry


def _stale_or_raise(
    stringee_project_id: int, stale: tuple[Entry, float] | None, error: DatabaseError
) -> Entry:
    """The last good entry of the project when the database cannot give a fresh one; `error`
    again if there is none recent enough."""
    if stale is None:
        raise error
    entry, age = stale
    logger.warning(
        "Routing project %s from this process's copy of %.0f s ago, and leaving the database "
        "alone for %g s wherever such a copy can answer: it cannot be read (%s)",
        stringee_project_id,
        age,
        settings.ROUTING_DATABASE_RETRY_SECONDS,
        error,
    )
    return entry


def route_entry(stringee_project_id: int) -> Entry:
    """The project Stringee knows as `stringee_project_id` (None if unknown) and its routing
    table."""
    return _entry(stringee_project_id, with_table=True)


def routing_table(project: Project) -> Table:
    """The project's routing table (see route_entry)."""
    table = route_entry(project.stringee_project_id)[1]
    if table is None:
        raise LookupError(f"project {project.stringee_project_id} has no routing table")
    return table


def webhook_project(stringee_project_id: int) -> Project | None:
    """The project Stringee knows as `stringee_project_id`, without its table: 1 query cold, 0
    warm."""
    return _entry(stringee_project_id, with_table=False)[0]


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


def _load_table(project: Project) -> Table:
    data = RoutingTable.objects.filter(project=project).values_list("data", flat=True).first()
    if data is None or data.get("version") != SNAPSHOT_VERSION:
        data = _store_snapshot(project)
    return Table.from_json(data)


# -- invalidation -----------------------------------------------------------------------------
def invalidate(project_id: int) -> None:
    """The one entry point for "this project's webhook data changed" (rules, token, numbers, ...).

    The first change of a transaction drops the project's entry at once (shared cache, this
    worker, every other worker through Redis), so reads inside the transaction see it. After
    the commit the snapshot row is rebuilt once and the entry dropped again, so a read that
    raced the commit cannot keep the old one. A hook lost to a rollback leaves a stale mark
    behind, which costs at most one extra rebuild later.
    """
    dirty = _dirty_ids()
    if project_id not in dirty:
        dirty.add(project_id)
        _forget(project_id)
    transaction.on_commit(lambda: _rebuild_if_dirty(project_id))


def rebuild(project_id: int) -> dict | None:
    """Recompile and store the project's snapshot, then drop its cached entries (in that order, so
    a read in between cannot cache the old snapshot again)."""
    project = Project.objects.filter(pk=project_id).first()
    if project is None or project_id in _deleting_ids():
        return None
    data = _store_snapshot(project)
    _drop([project.stringee_project_id])
    return data


def _store_snapshot(project: Project) -> dict:
    """Compile the project's snapshot and upsert its row (one statement)."""
    data = build_snapshot(project)
    RoutingTable.objects.bulk_create(
        [RoutingTable(project=project, data=data)],
        update_conflicts=True,
        unique_fields=["project"],
        update_fields=["data", "built_at"],
    )
    return data


def _forget(project_id: int) -> None:
    stringee_ids = list(
        Project.objects.filter(pk=project_id).values_list("stringee_project_id", flat=True)
    )
    _drop(stringee_ids)


def _drop(stringee_ids: list[int]) -> None:
    cache.delete_many([_key(stringee_id) for stringee_id in stringee_ids])
    local_routes.drop(stringee_ids)


def _rebuild_if_dirty(project_id: int) -> None:
    if project_id in _dirty_ids():
        _dirty_ids().discard(project_id)
        rebuild(project_id)


def _deleting_ids() -> set:
    if not hasattr(_deleting, "ids"):
        _deleting.ids = set()
    return _deleting.ids


def _dirty_ids() -> set:
    if not hasattr(_dirty, "ids"):
        _dirty.ids = set()
    return _dirty.ids


@receiver(tenant_data_changed, dispatch_uid="routing.cache.invalidate")
def _tenant_data_changed(sender, project_id: int, **kwargs) -> None:
    invalidate(project_id)


@receiver(pre_delete, sender=Project, dispatch_uid="routing.cache.project_deleting")
def _project_deleting(sender, instance: Project, **kwargs) -> None:
    _deleting_ids().add(instance.pk)


@receiver(post_delete, sender=Project, dispatch_uid="routing.cache.project_deleted")
def _project_deleted(sender, instance: Project, **kwargs) -> None:
    _deleting_ids().discard(instance.pk)
    _drop([instance.stringee_project_id])
