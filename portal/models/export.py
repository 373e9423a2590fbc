"""Staff's CSV exports of admin lists, written by the background worker, and the lists that may be
exported."""

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from portal.models.projects import Project

# The lists staff may export, each named by the app that brings it (`exportable`, called from
# its ready()): the worker builds no other.


@dataclass(frozen=True)
class Source:
    """An exportable list: its model's label, its name for staff and its files' name."""

    label: str
    title: str | Promise
    file_stem: str


SOURCES: dict[str, Source] = {}


def exportable(label: str, *, title: str | Promise, file_stem: str) -> None:
    """Let staff export the admin list of model `label` (its admin mixes in ExportsToFile)."""
    SOURCES[label.lower()] = Source(label.lower(), title, file_stem)


def exportable_lists() -> list[tuple[str, str | Promise]]:
    """(label, name for staff) of every exportable list: the choices of `Export.source`."""
    return [(source.label, source.title) for source in SOURCES.values()]


class Export(models.Model):
    """A CSV file of one admin list, asked for by a staff member and written by the worker.

    An export covers one project, so whoever may see that project may see it (staff of several
    projects get one file per project); a superuser's export of several tenants has no project
    and is seen by superusers only, as unassigned numbers are. `params` are the list's filters and
    search as its address carried them: the worker applies them again, as the person who asked
    and within the export's project (portal.exports).
    """

    tenant_lookup = "project"
    invalidates_routing = False  # no routing table reads it

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        RUNNING = "running", _("Running")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    project = models.ForeignKey(
        Project,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="exports",
        verbose_name=_("project"),
    )
    # The exported list's model label: one that an app made exportable (`exportable`).
    source = models.CharField(_("list"), max_length=40, choices=exportable_lists)
    filters = models.CharField(
        _("rows"), max_length=500, blank=True, help_text=_("Empty: the whole list.")
    )
    params = models.JSONField(default=dict, editable=False)
    selected = models.JSONField(null=True, blank=True, editable=False)
    language = models.CharField(max_length=8, default="en", editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("asked for by"),
    )
    created_at = models.DateTimeField(_("asked for at"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.WAITING
    )
    attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    started_at = models.DateTimeField(null=True, blank=True, editable=False)
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True, editable=False)
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True, editable=False)
    rows_written = models.PositiveIntegerField(default=0, editable=False)
    size = models.PositiveBigIntegerField(_("size"), null=True, blank=True, editable=False)
    file = models.CharField(max_length=255, blank=True, editable=False)
    task_id = models.CharField(max_length=64, blank=True, editable=False)
    error = models.CharField(_("problem"), max_length=300, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        indexes = [
            models.Index(fields=["project", "-created_at"], name="export_project_latest"),
            models.Index(fields=["status", "heartbeat_at"], name="export_status_heartbeat"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["waiting", "running", "ready", "failed"]),
                name="export_status_known",
            ),
            models.CheckConstraint(
                condition=~Q(status="ready") | ~Q(file=""), name="export_ready_has_file"
            ),
        ]

    def __str__(self) -> str:
        when = timezone.localtime(self.created_at) if self.created_at else None
        title = self.get_source_display()
        return f"{title}, {when:%Y-%m-%d %H:%M}" if when else str(title)

    @property
    def download_name(self) -> str:
        """The file name staff get: `callrecords-20261206.csv`, `change-history-20261206.csv`."""
        source = SOURCES.get(self.source)
        stem = source.file_stem if source is not None else "export"
        return f"{stem}-{timezone.localtime(self.created_at):%Y%m%d}.csv"
