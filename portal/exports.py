"""Staff's CSV exports as background jobs: asked for on an admin list, written by the worker,
downloaded from the Exports page, given to another worker when one stops, removed after their
retention.

Asking costs one INSERT per file, so the page answers at once whatever the list's size; the
worker (`manage.py run_worker`) rebuilds the list's rows the way its page does (the list's own
admin, its filters and search, as the person who asked) and writes them in batches of
EXPORT_BATCH_ROWS, each batch a short query by primary key, so that no transaction stays open for
the whole file. A running job beats a heartbeat; a job whose heartbeat stops (its worker was
killed) is queued again, and fails after EXPORT_MAX_ATTEMPTS tries (docs/deploy.md).
"""

from __future__ import annotations

import csv
import json
import logging
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from functools import partial
from typing import Any, Protocol, cast

from auditlog.context import disable_auditlog
from auditlog.signals import accessed
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ALL_VAR, ERROR_FLAG, PAGE_VAR, SEARCH_VAR
from django.contrib.messages.api import MessageFailure
from django.core.exceptions import FieldDoesNotExist, FieldError, ValidationError
from django.core.files import File
from django.core.files.storage import Storage, storages
from django.db import DataError, transaction
from django.db.models import F, Model, QuerySet
from django.http import HttpRequest, QueryDict
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_lazy, ngettext, pgettext_lazy

from portal.models import Export, Project
from portal.tenancy import project_ids_for, scope_to_projects

logger = logging.getLogger(__name__)

Status = Export.Status
# List parameters that say which page is shown, not which rows: the file has every row.
PAGE_PARAMS = {PAGE_VAR, ALL_VAR, ERROR_FLAG}
MAX_PARAMS = 50
MAX_PARAM_LENGTH = 500
HEARTBEAT_SECONDS = 5
LOOKUP_WORDS = {
    "gte": pgettext_lazy("list filter", "from"),
    "lte": pgettext_lazy("list filter", "until"),
    "gt": pgettext_lazy("list filter", "after"),
    "lt": pgettext_lazy("list filter", "before"),
    "isnull": pgettext_lazy("list filter", "empty"),
}


class ExportSource(Protocol):
    """What a list's admin provides to be exported (portal.export_admin.ExportsToFile)."""

    def export_header(self) -> list[str]: ...

    def export_cells(self, queryset: QuerySet) -> Mapping[Any, Sequence[Any]]: ...


class ExportProblem(Exception):
    """The export cannot be written; its argument is a key of PROBLEMS (stored on the export)."""


# Why an export failed, by the key stored in Export.error, in the reader's language.
PROBLEMS = {
    "filters": gettext_lazy(
        "The list's filters could not be applied; open the list and export again."
    ),
    "access": gettext_lazy("The person who asked for it may no longer see this list."),
    "list": gettext_lazy("This list cannot be exported."),
    "write": gettext_lazy("The file could not be written. Ask for the export again."),
}


def problem_text(export: Export) -> str:
    """Why `export` failed, in plain words."""
    if export.error == "interrupted":
        return ngettext(
            "The export was interrupted %(count)d time before the file was written.",
            "The export was interrupted %(count)d times before the file was written.",
            export.attempts,
        ) % {"count": export.attempts}
    return str(PROBLEMS.get(export.error, PROBLEMS["write"]))


def storage() -> Storage:
    return storages["exports"]


# --- asking -------------------------------------------------------------------------------------


def clean_params(query: QueryDict | Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """The list's filters and search as they will be stored: no paging, no NUL, bounded."""
    params: dict[str, list[str]] = {}
    for key in list(query.keys())[:MAX_PARAMS]:
        values = query.getlist(key) if isinstance(query, QueryDict) else list(query[key])
        clean_key = key.replace("\x00", "")[:MAX_PARAM_LENGTH]
        if clean_key and clean_key not in PAGE_PARAMS:
            params[clean_key] = [str(v).replace("\x00", "")[:MAX_PARAM_LENGTH] for v in values]
    return params


def describe_filters(model: type[Model], params: Mapping[str, Sequence[str]]) -> str:
    """The filters in words: “Status: busy; Started at from 2026-12-01; search “0901””."""
    parts = []
    for key, values in params.items():
        shown = ", ".join(values)
        if key == SEARCH_VAR:
            if shown:
                parts.append(gettext("search “%(text)s”") % {"text": shown})
            continue
        name, *rest = key.split("__")
        try:
            label = capfirst(str(model._meta.get_field(name).verbose_name))  # type: ignore[union-attr]
        except FieldDoesNotExist:
            label = capfirst(name.replace("_", " "))
        word = LOOKUP_WORDS.get(rest[-1], "") if rest else ""
        parts.append(f"{label} {word} {shown}" if word else f"{label}: {shown}")
    return "; ".join(parts)[:500]


def describe_rows(export: Export) -> str:
    """Which rows of its list an export holds, in the reader's language ("" for all of them)."""
    if export.selected is not None:
        count = len(export.selected)
        return ngettext("%(count)d selected row", "%(count)d selected rows", count) % {
            "count": count
        }
    return describe_filters(apps.get_model(export.source), export.params or {})


def export_request(
    *,
    source: str,
    params: dict[str, list[str]],
    selected: list[str] | None,
    user,
    language: str,
) -> list[Export]:
    """Queue the export of a list: one file per project the caller may see (superusers: one file
    for every tenant, or for the project the list is filtered on).

    `params` are the list's filters (clean_params); `selected` the ids ticked on the page, or
    None for every row the filters give. The jobs start once the rows are committed.
    """
    if selected is not None:
        selected = [str(pk).replace("\x00", "")[:40] for pk in selected][:1000]
    common = {
        "source": Export.Source(source),
        "params": params,
        "selected": selected,
        "language": language[:8],
        "created_by": user,
    }
    # What the change history keeps of the rows asked for, in the asker's words.
    common["filters"] = describe_rows(Export(**common))
    with transaction.atomic():
        made = [
            Export.objects.create(project_id=project_id, **common)
            for project_id in _projects_of_export(user, params)
        ]
        for export in made:
            transaction.on_commit(partial(_enqueue, export))
    return made


def _projects_of_export(user, params: Mapping[str, Sequence[str]]) -> list[int | None]:
    """The project of each file: the one the list is filtered on if the caller may see it, else
    each of the caller's projects (superusers: one file, no project)."""
    chosen = params.get("project__id__exact", [""])[0]
    chosen_id = int(chosen) if chosen.isdigit() and len(chosen) < 18 else None
    if getattr(user, "is_superuser", False):
        exists = chosen_id is not None and Project.objects.filter(pk=chosen_id).exists()
        return [chosen_id] if exists else [None]
    mine = sorted(project_ids_for(user))
    return [chosen_id] if chosen_id in mine else list(mine)


def _enqueue(export: Export) -> None:
    from portal.tasks import build_export

    result = build_export.enqueue(export.pk)
    Export.objects.filter(pk=export.pk, task_id="").update(task_id=str(result.id)[:64])


def export_retry(*, export: Export) -> bool:
    """Queue a failed export again (from its first row); False if it had not failed."""
    with transaction.atomic():
        queued = Export.objects.filter(pk=export.pk, status=Status.FAILED).update(
            status=Status.WAITING, attempts=0, error="", rows_written=0, task_id=""
        )
        if queued:
            transaction.on_commit(lambda: _enqueue(export))
    return bool(queued)


def export_downloaded(*, export: Export) -> None:
    """Record the download in the change history (who took which file, from where)."""
    accessed.send(sender=Export, instance=export)


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


# --- housekeeping (the worker, and prune_calls) -------------------------------------------------


def exports_requeue_stalled(*, now: datetime | None = None) -> int:
    """Queue again each running export whose worker has shown no sign of life for
    EXPORT_STALLED_SECONDS (it was killed, or its machine went away); after
    EXPORT_MAX_ATTEMPTS tries it fails instead. Returns how many were queued again."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.EXPORT_STALLED_SECONDS)
    queued = 0
    stalled = Export.objects.filter(status=Status.RUNNING, heartbeat_at__lte=cutoff)
    for export in stalled.only("pk", "attempts", "task_id"):
        same = Export.objects.filter(pk=export.pk, status=Status.RUNNING, attempts=export.attempts)
        if export.attempts >= settings.EXPORT_MAX_ATTEMPTS:
            same.update(status=Status.FAILED, finished_at=now, error="interrupted")
        elif same.update(status=Status.WAITING, task_id=""):
            _close_lost_task(export.task_id, now)
            _enqueue(export)
            queued += 1
    return queued


def _close_lost_task(task_id: str, now: datetime) -> None:
    """The queue's own row of a job whose worker died says "running" for ever: close it."""
    if not task_id:
        return
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(id=task_id, status="RUNNING").update(
        status="FAILED", finished_at=now, exception_class_path="portal.exports.WorkerStopped"
    )


def exports_prune(*, now: datetime | None = None) -> int:
    """Remove exports (row and file) asked for more than EXPORT_RETENTION_DAYS ago, and files no
    export names any more. Returns how many exports were removed.

    Not recorded in the change history: that keeps who asked for each export and who downloaded
    it; removing the file after its retention is housekeeping, like prune_calls.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.EXPORT_RETENTION_DAYS)
    files = storage()
    removed = 0
    old = Export.objects.filter(created_at__lt=cutoff).exclude(status=Status.RUNNING)
    with disable_auditlog():
        for export in old.only("pk", "file"):
            if export.file:
                files.delete(export.file)
            export.delete()
            removed += 1
    _delete_strays(files, cutoff)
    return removed


def _delete_strays(files: Storage, cutoff: datetime) -> None:
    """Files left by a deleted project or a worker stopped while saving."""
    try:
        folders, _ = files.listdir("")
    except (FileNotFoundError, NotImplementedError):
        return
    known = set(Export.objects.exclude(file="").values_list("file", flat=True))
    for folder in folders:
        for name in files.listdir(folder)[1]:
            path = f"{folder}/{name}"
            if path not in known and files.get_modified_time(path) < cutoff:
                files.delete(path)


def export_file(export: Export) -> File:
    """The file of a ready export, opened for reading (FileNotFoundError if it is gone)."""
    return storage().open(export.file, "rb")
