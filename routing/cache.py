"""Each project's routing table: compiled from its configuration (routing.snapshot) into one
RoutingTable row, read by the answer_url and its callbacks through the webhooks' door
(portal.webhooks.door, which caches it with the project), rebuilt and dropped whenever the
project's configuration changes.

Every model of the tenant apps says whether saving it changes how calls route
(`invalidates_routing`, True or False: the check routing.E001 refuses a model that says
neither, so a new model cannot be forgotten). A save or delete of one that does (except a save of
only the fields it lists in `routing_ignores`), and any
`tenant_data_changed` (the inventory's conditional UPDATEs send it), call `invalidate`, which
drops that project's entry everywhere at once and again after the transaction commits, when the
snapshot row is rebuilt once however many rows the transaction changed.
"""

from __future__ import annotations

import threading

from django.apps import apps
from django.core import checks
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver

from portal.models import Project
from portal.tenancy.paths import TENANT_APPS, tenant_project_id
from portal.tenancy.policy import notify_changed, tenant_data_changed
from portal.webhooks import door
from routing.engine.types import Table
from routing.models import RoutingTable
from routing.snapshot import SNAPSHOT_VERSION, build_snapshot

Entry = tuple[Project | None, Table | None]  # (None, None): no such project

_deleting = threading.local()  # projects being deleted: their cascade must not rebuild a table
_dirty = threading.local()  # projects changed in this thread whose rebuild has not run yet


# -- reads ----------------------------------------------------------------------------------------
def load_table(project: Project) -> Table:
    """The project's table from its stored row (compiled and stored first if it has none, or one
    of an older shape): what the door adds to a project for callers that route."""
    data = RoutingTable.objects.filter(project=project).values_list("data", flat=True).first()
    if data is None or data.get("version") != SNAPSHOT_VERSION:
        data = _store_snapshot(project)
    return Table.from_json(data)


def route_entry(stringee_project_id: int) -> Entry:
    """The project Stringee knows as `stringee_project_id` (None if unknown) and its routing
    table."""
    return door.entry(stringee_project_id, with_routing=True)


def routing_table(project: Project) -> Table:
    """The project's routing table (see route_entry)."""
    table = route_entry(project.stringee_project_id)[1]
    if table is None:
        raise LookupError(f"project {project.stringee_project_id} has no routing table")
    return table


# -- invalidation -----------------------------------------------------------------------------
def routing_inputs() -> list[type[Model]]:
    """The models whose rows a routing table is compiled from (`invalidates_routing = True`)."""
    return [model for model in apps.get_models() if getattr(model, "invalidates_routing", False)]


def invalidate_on_changes() -> None:
    """Invalidate a project's table whenever a row of a routing input is saved or deleted (called
    once, when the routing app is ready)."""
    for model in routing_inputs():
        label = model._meta.label_lower
        post_save.connect(_row_changed, sender=model, dispatch_uid=f"routing.saved.{label}")
        post_delete.connect(_row_changed, sender=model, dispatch_uid=f"routing.deleted.{label}")


def _row_changed(sender, instance: Model, update_fields=None, **kwargs) -> None:
    # A save of only the fields that no routing table reads (a number's label) changes no table.
    if update_fields and set(update_fields) <= getattr(sender, "routing_ignores", frozenset()):
        return
    notify_changed(tenant_project_id(instance))


def _declares_routing(model: type[Model]) -> bool:
    """Whether `model`, or an abstract model it extends, says whether it changes routing."""
    return any(
        "invalidates_routing" in vars(cls)
        for cls in model.__mro__
        if cls is model or getattr(getattr(cls, "_meta", None), "abstract", False)
    )


@checks.register(checks.Tags.models)
def check_routing_inputs_declared(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """routing.E001: every concrete model of the tenant apps says whether it changes routing."""
    return [
        checks.Error(
            f"{model._meta.label} does not say whether saving it changes how calls route.",
            hint=(
                "Add invalidates_routing = True if a routing table is compiled from its rows "
                "(routing.snapshot), else invalidates_routing = False."
            ),
            obj=model,
            id="routing.E001",
        )
        for model in apps.get_models()
        if model._meta.app_label in TENANT_APPS and not _declares_routing(model)
    ]


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
    door.drop([project.stringee_project_id])
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
    door.drop(stringee_ids)


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
    door.drop([instance.stringee_project_id])
