"""The audit log of tenant configuration: which models django-auditlog watches, who the caller is.

django-auditlog writes one `portal.AuditEntry` per create, change and delete of a registered
model (signals), with the staff user and remote address its middleware puts in context. This
module adds what the portal needs on top: the project each entry belongs to (so tenants read only
their own history), the caller when it is a program (API key, Stringee JWT) or a management
command, entries for the writes that bypass model signals (conditional UPDATEs of the number
inventory, rows inserted in bulk), secrets hidden whole, and the readable text of a change.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from auditlog.context import auditlog_value, set_extra_data
from auditlog.diff import model_instance_diff
from auditlog.registry import auditlog
from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model
from django.utils.encoding import smart_str
from django.utils.translation import gettext

from portal.models.audit_entry import pending_entries, related_key

HIDDEN = "••••••"
CALLER_MAX_LENGTH = 200

# The models whose changes are kept (each app names its own, `watch`), as model labels.
WATCHED: list[str] = []


def hide_secret(value: Any) -> str:
    """auditlog's mask: nothing of the secret is kept (its default keeps half of it)."""
    return HIDDEN


def watch(label: str, *, exclude: Iterable[str] = (), mask: Iterable[str] = ()) -> None:
    """Keep the changes of model `label` in the change history (called from each app's ready()).

    `exclude` names fields left out (timestamps that change on every save, derived rows), `mask`
    fields whose values are secrets: the entry says that they changed, never what to.
    """
    model = apps.get_model(label)
    if auditlog.contains(model):
        return
    left_out = {"id", "created_at", "updated_at", *exclude}
    auditlog.register(
        model,
        # Own columns only: auditlog would otherwise list reverse relations as "changes".
        include_fields=[f.name for f in model._meta.concrete_fields if f.name not in left_out],
        exclude_fields=sorted(left_out),
        mask_fields=list(mask),
        mask_callable="portal.audit.hide_secret",
    )
    WATCHED.append(model._meta.label_lower)


# --- who is acting ------------------------------------------------------------------------------


def note_api_caller(*, label: str, api_key_id: int | None = None) -> None:
    """Name the program behind the current request on the entries it writes from now on.

    Called by the API's authentication classes once a key or token is accepted.
    """
    try:
        context = auditlog_value.get()
    except LookupError:
        return
    context["caller"] = label[:CALLER_MAX_LENGTH]
    context["api_key_id"] = api_key_id


@contextlib.contextmanager
def acting_as_command(name: str) -> Iterator[None]:
    """Entries written inside name the management command `name` as the caller."""
    with set_extra_data(
        context_data={
            "actor": None,
            "remote_addr": None,
            "caller": gettext("Command “%(name)s”") % {"name": name},
        }
    ):
        yield


# --- writes that bypass model signals ----------------------------------------------------------


@contextlib.contextmanager
def batched() -> Iterator[None]:
    """Entries written inside (auditlog's, for every saved or deleted row, and log_created's)
    are inserted together in one statement when the block ends without an error, in the order
    they were written; the same entries, one INSERT instead of one each. Nested blocks join the
    outer one. Use it inside the write's transaction, so that the entries commit with it.
    """
    if pending_entries.get() is not None:
        yield
        return
    pending: list = []
    token = pending_entries.set(pending)
    try:
        yield
    finally:
        pending_entries.reset(token)
    if pending:
        _entry_model().objects.bulk_create(pending)


def _entry_model():
    return apps.get_model("portal", "AuditEntry")


def log_update(instance: Model, *, changes: dict[str, tuple[Any, Any]], project_id: int | None):
    """An entry for a change made by a queryset UPDATE (no signal): `changes` maps field names to
    (before, after)."""
    entry = _entry_model()
    as_text = {name: [str(before), str(after)] for name, (before, after) in changes.items()}
    return entry.objects.log_create(
        instance, action=entry.Action.UPDATE, changes=as_text, project_id=project_id
    )


# Entries that record an event rather than a change of the row they name, by `event` in the
# entry's additional data (portal.admin.history names them).
EVENTS = (
    "refused_destination",
    "second_factor_added",
    "second_factor_removed",
    "signed_out_everywhere",
)


def log_event(
    instance: Model, *, event: str, details: dict[str, str], project_id: int | None = None
):
    """An entry saying that `event` happened to `instance` (a refused destination, a second
    factor added or removed), with `details` shown as its fields."""
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}")
    entry = _entry_model()
    return entry.objects.log_create(
        instance,
        force_log=True,
        action=entry.Action.ACCESS,
        changes={name: ["", str(value)] for name, value in details.items()},
        additional_data={"event": event},
        project_id=project_id,
    )


def event_of(entry) -> str | None:
    """The event an entry records (see EVENTS), None for a change."""
    data = entry.additional_data if isinstance(entry.additional_data, dict) else {}
    event = data.get("event")
    return event if event in EVENTS else None


def log_created(rows: Iterable[Model]) -> None:
    """Entries for rows inserted by bulk_create (which sends no signal)."""
    entry = _entry_model()
    for row in rows:
        if row.pk is None or not auditlog.contains(type(row)):
            continue
        changes = model_instance_diff(None, row)
        entry.objects.log_create(row, action=entry.Action.CREATE, changes=changes)


# --- reading -----------------------------------------------------------------------------------


def changed_fields(entry) -> list[tuple[str, str, str]]:
    """(field label, before, after) for each field of an entry, in plain words (auditlog's
    display form: field names as labels, choices by their names, related rows by their names)."""
    try:
        shown = entry.changes_display_dict
    except (AttributeError, LookupError, ValueError, TypeError):
        shown = entry.changes_dict
    rows = []
    for name, values in (shown or {}).items():
        label = str(name)
        padded = [*values, "", ""]
        before, after = _plain(padded[0]), _plain(padded[1])
        if before == after == "—":  # an empty field of a new or deleted row says nothing
            continue
        rows.append((label[:1].upper() + label[1:], before, after))
    return rows


def name_related_rows(entries: Iterable) -> None:
    """Name the rows the entries' changes point to (a rule's menu, a member's app user...) with
    one query per kind of row, for a page of the change history or a batch of its export.

    auditlog's `changes_display_dict` reads each of them with a query of its own, a few per
    entry; `AuditEntry` takes the names from here instead (None: the row was deleted since).
    The entries' own project and staff member are loaded with them already.
    """
    entries = list(entries)
    names: dict[tuple[type[Model], Any], str | None] = {}
    for entry in entries:
        for loaded in ("project", "actor"):
            row = getattr(entry, loaded) if entry._meta.get_field(loaded).is_cached(entry) else None
            if row is not None:
                names[type(row), row.pk] = smart_str(row)
    wanted: dict[type[Model], set[Any]] = defaultdict(set)
    for entry in entries:
        for related, key in _related_keys(entry):
            if (related, key) not in names:
                wanted[related].add(key)
    use_base = getattr(settings, "AUDITLOG_USE_BASE_MANAGER", False)  # as auditlog reads them
    for related, keys in wanted.items():
        found = (related._base_manager if use_base else related._default_manager).in_bulk(keys)
        names.update(
            {(related, key): smart_str(found[key]) if key in found else None for key in keys}
        )
    for entry in entries:
        entry.related_names = names


def _related_keys(entry) -> Iterator[tuple[type[Model], Any]]:
    """(model, primary key) of each row the entry's changes name by a foreign key."""
    model = entry.content_type.model_class()
    if model is None:
        return
    for name, values in (entry.changes_dict or {}).items():
        related = foreign_key_target(model, name)
        if related is None:
            continue
        for value in values:
            key = related_key(related, value)
            if key is not None:
                yield related, key


def foreign_key_target(model: type[Model], name: str) -> type[Model] | None:
    """The model that field `name` of `model` points to, if auditlog shows it by the related
    row's name (a foreign key without choices)."""
    try:
        field = model._meta.get_field(name)
        internal_type = field.get_internal_type()
    except (FieldDoesNotExist, AttributeError):
        return None
    if getattr(field, "choices", None) or internal_type not in ("ForeignKey", "OneToOneField"):
        return None
    return field.related_model  # type: ignore[return-value]


def _plain(value: Any) -> str:
    """A stored value as staff read it: empty as a dash, a tick box as yes or no."""
    text = str(value)
    if text in ("None", ""):
        return "—"
    if text in ("True", "False"):
        return gettext("yes") if text == "True" else gettext("no")
    return text


def last_holder(instance: Model) -> int | None:
    """The project named by the latest entry of `instance` that names one (for a number back in
    stock: the project that released it)."""
    entry = _entry_model()
    return (
        entry.objects.get_for_object(instance)
        .filter(project__isnull=False)
        .order_by("-timestamp", "-pk")
        .values_list("project_id", flat=True)
        .first()
    )
