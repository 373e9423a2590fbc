"""Load a project and its routing table in one cache read, and rebuild the table when data changes.

The answer_url needs both on every call, so they share one cache entry keyed by the Stringee
projectId: warm, no query (and no round trip once the worker holds a local copy, see
routing.local_routes); cold, two queries (the project, its stored snapshot). Whenever
`tenant_data_changed` fires for a project (rules, menus, numbers, users, the project itself),
the snapshot row is rebuilt and the cache entries dropped, once at once and again after the
transaction commits (so a request racing the commit cannot keep a stale table cached).
"""

import threading

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import post_delete, pre_delete
from django.dispatch import receiver

from portal.models import Project
from portal.tenancy import tenant_data_changed
from routing.destinations import Table
from routing.local_routes import local_routes
from routing.models import RoutingTable
from routing.snapshot import SNAPSHOT_VERSION, build_snapshot

_deleting = threading.local()  # projects being deleted: their cascade must not rebuild a table


_UNKNOWN_PROJECT_SECONDS = 60  # unknown ids are remembered briefly, so bad URLs spare the database


def _key(stringee_project_id: int) -> str:
    return f"answer-route:{stringee_project_id}"


def route_entry(stringee_project_id: int) -> tuple[Project | None, Table | None]:
    """The project Stringee knows as `stringee_project_id` (None if unknown) and its routing table."""
    entry, generation = local_routes.get(stringee_project_id)
    if entry is not None:
        return entry
    key = _key(stringee_project_id)
    entry = cache.get(key)
    if entry is None:
        project = Project.objects.filter(stringee_project_id=stringee_project_id).first()
        if project is None:
            entry = (None, None)
            cache.set(key, entry, _UNKNOWN_PROJECT_SECONDS)
        else:
            entry = (project, _load_table(project.pk))
            cache.set(key, entry, settings.ROUTING_CACHE_SECONDS)
    local_routes.put(stringee_project_id, entry, generation)
    return entry


def routing_table(project: Project) -> Table:
    """The project's routing table (see route_entry)."""
    return route_entry(project.stringee_project_id)[1]


def _load_table(project_id: int) -> Table:
    data = RoutingTable.objects.filter(project_id=project_id).values_list("data", flat=True).first()
    if data is None or data.get("version") != SNAPSHOT_VERSION:
        data = rebuild(project_id)
    return Table.from_json(data)


def _forget(project_id: int) -> None:
    stringee_ids = list(Project.objects.filter(pk=project_id).values_list("stringee_project_id", flat=True))
    cache.delete_many([_key(stringee_id) for stringee_id in stringee_ids])
    local_routes.drop(stringee_ids)


def rebuild(project_id: int) -> dict | None:
    """Recompile and store the project's snapshot; drop the cached entry."""
    _forget(project_id)
    if project_id in _deleting_ids():
        return None
    data = build_snapshot(project_id)
    if data is not None:
        RoutingTable.objects.update_or_create(project_id=project_id, defaults={"data": data})
    return data


def _deleting_ids() -> set:
    if not hasattr(_deleting, "ids"):
        _deleting.ids = set()
    return _deleting.ids


@receiver(tenant_data_changed, dispatch_uid="routing.cache.rebuild")
def _tenant_data_changed(sender, project_id: int, **kwargs) -> None:
    rebuild(project_id)
    if connection.in_atomic_block:
        transaction.on_commit(lambda: rebuild(project_id))


@receiver(pre_delete, sender=Project, dispatch_uid="routing.cache.project_deleting")
def _project_deleting(sender, instance: Project, **kwargs) -> None:
    _deleting_ids().add(instance.pk)


@receiver(post_delete, sender=Project, dispatch_uid="routing.cache.project_deleted")
def _project_deleted(sender, instance: Project, **kwargs) -> None:
    _deleting_ids().discard(instance.pk)
    cache.delete(_key(instance.stringee_project_id))
    local_routes.drop([instance.stringee_project_id])
