"""Load a project's routing table (cache, else its stored snapshot) and rebuild it when data changes.

Cold: one query for the stored snapshot row; warm: none. Whenever `tenant_data_changed` fires
for a project (rules, menus, numbers, users, the project itself), the snapshot row is rebuilt
and the cache entry dropped, once at once and again after the transaction commits (so a
request racing the commit cannot keep a stale table cached).
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
from routing.models import RoutingTable
from routing.snapshot import SNAPSHOT_VERSION, build_snapshot

_deleting = threading.local()  # projects being deleted: their cascade must not rebuild a table


def _key(project_id: int) -> str:
    return f"routing-table:{project_id}"


def routing_table(project: Project) -> Table:
    """The project's routing table: 0 queries warm, 1 cold (2 if it was never built)."""
    key = _key(project.pk)
    table = cache.get(key)
    if table is None:
        data = RoutingTable.objects.filter(project_id=project.pk).values_list("data", flat=True).first()
        if data is None or data.get("version") != SNAPSHOT_VERSION:
            data = rebuild(project.pk)
        table = Table.from_json(data)
        cache.set(key, table, settings.ROUTING_CACHE_SECONDS)
    return table


def rebuild(project_id: int) -> dict | None:
    """Recompile and store the project's snapshot; drop the cached table."""
    cache.delete(_key(project_id))
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
    cache.delete(_key(instance.pk))
