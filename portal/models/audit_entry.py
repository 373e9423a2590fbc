"""The change history: one entry per create, change or delete of a tenant's configuration."""

from contextvars import ContextVar
from typing import Any

from auditlog.models import AbstractLogEntry, LogEntryManager
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.db.models import Model
from django.db.models.signals import pre_save
from django.utils.translation import gettext_lazy as _

from portal.models.api_keys import ApiKey
from portal.models.projects import Project
from portal.tenancy.paths import is_shared, tenant_project_id


def related_key(related: type[Model], value: Any) -> Any:
    """The primary key that a logged value of a foreign key names (None for "None" and junk)."""
    if str(value) == "None":
        return None
    try:
        return related._meta.pk.to_python(str(value))
    except ValidationError:
        return None


# Entries built while portal.audit.batched() is open, inserted together when it closes.
pending_entries: ContextVar[list | None] = ContextVar("pending_audit_entries", default=None)


class AuditEntryManager(LogEntryManager):
    """auditlog's manager, filling in the project the changed object belongs to."""

    def create(self, **kwargs):
        """One entry, inserted now, or kept for one INSERT with the others of the batch open."""
        pending = pending_entries.get()
        if pending is None:
            return super().create(**kwargs)
        entry = self.model(**kwargs)
        # What auditlog's context fills in on save (staff user, address, caller), filled now,
        # since bulk_create sends no signal.
        pre_save.send(
            sender=self.model, instance=entry, raw=False, using=self.db, update_fields=None
        )
        pending.append(entry)
        return entry

    def log_create(self, instance, force_log: bool = False, **kwargs):
        if "project_id" not in kwargs and "project" not in kwargs and is_shared(type(instance)):
            kwargs["project_id"] = None  # a staff account: its entries are for superusers
        elif "project_id" not in kwargs and "project" not in kwargs:
            try:
                kwargs["project_id"] = tenant_project_id(instance)
            except (ObjectDoesNotExist, AttributeError):
                kwargs["project_id"] = None
        return super().log_create(instance, force_log=force_log, **kwargs)


class AuditEntry(AbstractLogEntry):
    """One create, change or delete of a tenant's configuration (django-auditlog's log entry).

    Besides auditlog's own columns (what, when, which fields, staff user, remote address) it names
    the project the row belongs to, so that each tenant reads only its own history, and the caller
    when that is not a staff user: an API key, a Stringee JWT or a management command.
    """

    tenant_lookup = "project"
    invalidates_routing = False  # no routing table reads it

    # No database constraint: a deleted project's history stays readable by superusers.
    project = models.ForeignKey(
        Project,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("project"),
    )
    api_key = models.ForeignKey(
        ApiKey,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("API key"),
    )
    caller = models.CharField(_("changed by (program)"), max_length=200, blank=True, default="")

    objects = AuditEntryManager()
    # Names of the rows its changes point to, read for a whole page (audit.name_related_rows).
    related_names: dict | None = None

    class Meta(AbstractLogEntry.Meta):
        verbose_name = _("change")
        verbose_name_plural = _("change history")
        indexes = [models.Index(fields=["project", "-timestamp"], name="audit_project_latest")]

    def _get_changes_display_for_fk_field(self, field, value) -> str:
        """auditlog's name of a related row, taken from `related_names` when they were read."""
        related = field.related_model
        key = (related, related_key(related, value))
        if self.related_names is None or key not in self.related_names:
            return super()._get_changes_display_for_fk_field(field, value)
        name = self.related_names[key]
        return name if name is not None else f"Deleted '{related.__name__}' ({value})"
