"""Writing an export (the worker): the list's rows rebuilt the way its page does (its own admin,
filters and search, as the person who asked), written in batches of EXPORT_BATCH_ROWS by primary
key so that no transaction stays open for the whole file, with a heartbeat."""

from __future__ import annotations

import codecs
import csv
import json
import tempfile
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any, cast

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.messages.api import MessageFailure
from django.core.exceptions import FieldError, ValidationError
from django.core.files import File
from django.db import DataError
from django.db.models import F, QuerySet
from django.http import HttpRequest, QueryDict
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from portal.exports.files import (
    HEARTBEAT_SECONDS,
    ExportProblem,
    ExportSource,
    Status,
    logger,
    storage,
)
from portal.models import Export
from portal.tenancy.policy import scope_to_projects

# --- writing (the worker) -----------------------------------------------------------------------


@dataclass
class _Progress:
    export_id: int
    attempt: int
    beat_at: datetime

    def beat(self, rows_written: int, *, force: bool = False) -> None:
        """Tell the others this job is alive; ExportProblem if it was given to another worker."""
        now = timezone.now()
        every = min(HEARTBEAT_SECONDS, settings.EXPORT_STALLED_SECONDS / 4)
        if not force and (now - self.beat_at).total_seconds() < every:
            return
        alive = Export.objects.filter(
            pk=self.export_id, status=Status.RUNNING, attempts=self.attempt
        ).update(heartbeat_at=now, rows_written=rows_written)
        if not alive:
            raise _GivenAway
        self.beat_at = now


class _GivenAway(Exception):
    """Another worker took the job over (this one was thought dead) or it was removed."""


def export_build(*, export_id: int) -> str:
    """Write the export's CSV file (the worker's job). Returns what became of it."""
    now = timezone.now()
    claimed = Export.objects.filter(pk=export_id, status=Status.WAITING).update(
        status=Status.RUNNING,
        attempts=F("attempts") + 1,
        started_at=now,
        heartbeat_at=now,
        rows_written=0,
    )
    if not claimed:
        return "not waiting"
    export = Export.objects.select_related("created_by").get(pk=export_id)
    progress = _Progress(export_id, export.attempts, now)
    try:
        with translation.override(export.language):
            name, rows, size = _write(export, progress)
    except _GivenAway:
        return "taken over"
    except ExportProblem as problem:
        _finish(export, status=Status.FAILED, error=problem.args[0])
        return "failed"
    except Exception:
        logger.exception("Export %s failed", export_id)
        _finish(export, status=Status.FAILED, error="write")
        raise
    if not _finish(export, status=Status.READY, file=name, row_count=rows, size=size):
        storage().delete(name)
        return "taken over"
    return "ready"


def _finish(export: Export, **fields: Any) -> bool:
    return bool(
        Export.objects.filter(pk=export.pk, status=Status.RUNNING, attempts=export.attempts).update(
            finished_at=timezone.now(), **fields
        )
    )


def _write(export: Export, progress: _Progress) -> tuple[str, int, int]:
    """The file's storage name, its rows and bytes."""
    model_admin, queryset = _rows_of(export)
    try:
        ids = list(queryset.values_list("pk", flat=True))
    except DataError as exc:  # a filter value the database refuses (a number out of range)
        raise ExportProblem("filters") from exc
    Export.objects.filter(pk=export.pk).update(row_count=len(ids))
    batch = max(1, settings.EXPORT_BATCH_ROWS)
    with tempfile.TemporaryFile("w+b") as raw:
        # UTF-8 with a byte-order mark: Excel, which most staff open exports with, then reads
        # Vietnamese names right (without it, it guesses the local code page).
        raw.write(codecs.BOM_UTF8)
        text = _Utf8(raw)
        writer = csv.writer(text)
        writer.writerow(model_admin.export_header())
        base = queryset.model._default_manager.all()
        for start in range(0, len(ids), batch):
            chunk = ids[start : start + batch]
            cells = model_admin.export_cells(base.filter(pk__in=chunk))
            writer.writerows(cells[pk] for pk in chunk if pk in cells)
            progress.beat(min(start + batch, len(ids)))
        progress.beat(len(ids), force=True)
        raw.flush()
        size = raw.tell()
        raw.seek(0)
        folder = export.project_id or "all"
        name = f"{folder}/export-{export.pk}-{export.attempts}.csv"
        name = storage().save(name, File(raw, name="export.csv"))
    return name, len(ids), size


class _Utf8:
    """A text sink over a binary file, for csv.writer."""

    def __init__(self, raw) -> None:
        self.raw = raw

    def write(self, value: str) -> int:
        return self.raw.write(value.encode("utf-8"))


def _rows_of(export: Export) -> tuple[ExportSource, QuerySet]:
    """The list's admin and the rows its page would show the person who asked, with the same
    filters and search, inside the export's project."""
    user = export.created_by
    model = apps.get_model(export.source)
    model_admin = admin.site.get_model_admin(model)
    if not hasattr(model_admin, "export_cells"):
        raise ExportProblem("list")
    request = HttpRequest()
    request.method = "GET"
    query = QueryDict(mutable=True)
    for key, values in (export.params or {}).items():
        query.setlist(str(key), [str(v) for v in values])
    request.GET = query  # type: ignore[assignment]
    request.user = user  # type: ignore[assignment]
    try:
        request.path = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    except NoReverseMatch:
        request.path = "/admin/"
    if user is None or not user.is_active or not model_admin.has_view_permission(request):
        raise ExportProblem("access")
    try:
        queryset = model_admin.get_changelist_instance(request).get_queryset(request)
        narrow = getattr(model_admin, "export_queryset", None)  # rows a list leaves out
        if narrow is not None:
            queryset = narrow(queryset, request)
        if export.selected is not None:
            queryset = queryset.filter(pk__in=export.selected)
        if export.project_id is not None:
            queryset = scope_to_projects(queryset, [export.project_id])
        elif not user.is_superuser:
            raise ExportProblem("access")
        queryset = queryset.order_by(*(model._meta.ordering or ["-pk"]))
    except (
        IncorrectLookupParameters,
        FieldError,
        ValidationError,
        ValueError,
        OverflowError,
        TypeError,
        MessageFailure,
    ) as exc:
        raise ExportProblem("filters") from exc
    return cast(ExportSource, model_admin), queryset


def csv_cell(value: Any, zone: tzinfo | None = None) -> Any:
    """A value as a CSV cell: times in the portal's time zone, JSON as text, nothing for None.

    Pass the time zone (`timezone.get_current_timezone()`) when writing many cells: looking it up
    costs more than the conversion.
    """
    if isinstance(value, datetime):
        if timezone.is_naive(value):
            return value.isoformat()
        return value.astimezone(zone or timezone.get_current_timezone()).isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return "" if value is None else value
