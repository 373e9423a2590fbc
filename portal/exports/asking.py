"""Asking for an export: the list's filters stored as asked, one Export row and one job per project
(one INSERT each, so the page answers at once whatever the list's size), a retry, a download."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial

from auditlog.signals import accessed
from django.apps import apps
from django.contrib.admin.views.main import SEARCH_VAR
from django.core.exceptions import FieldDoesNotExist
from django.db import transaction
from django.db.models import Model
from django.http import QueryDict
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext

from portal.exports.files import (
    LOOKUP_WORDS,
    MAX_PARAM_LENGTH,
    MAX_PARAMS,
    PAGE_PARAMS,
    Status,
)
from portal.exports.tasks import build_export
from portal.models import Export, Project
from portal.models.export import SOURCES
from portal.tenancy.policy import project_ids_for

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
    if source not in SOURCES:
        raise ValueError(f"{source} is not an exportable list")
    if selected is not None:
        selected = [str(pk).replace("\x00", "")[:40] for pk in selected][:1000]
    common = {
        "source": source,
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
            transaction.on_commit(partial(export_enqueue, export))
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


def export_enqueue(export: Export) -> None:
    """Queue the job that writes `export` (after the transaction that made it commits)."""

    result = build_export.enqueue(export.pk)
    Export.objects.filter(pk=export.pk, task_id="").update(task_id=str(result.id)[:64])


def export_retry(*, export: Export) -> bool:
    """Queue a failed export again (from its first row); False if it had not failed."""
    with transaction.atomic():
        queued = Export.objects.filter(pk=export.pk, status=Status.FAILED).update(
            status=Status.WAITING, attempts=0, error="", rows_written=0, task_id=""
        )
        if queued:
            transaction.on_commit(lambda: export_enqueue(export))
    return bool(queued)


def export_downloaded(*, export: Export) -> None:
    """Record the download in the change history (who took which file, from where)."""
    accessed.send(sender=Export, instance=export)
