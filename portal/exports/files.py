"""Staff's CSV exports as background jobs: asked for on an admin list (`asking`), written by the
worker (`building`), downloaded from the Exports page, given to another worker when one stops,
removed after their retention (`upkeep`). This module holds what they share: the words for
what went wrong, the storage and the file of an export.

A running job beats a heartbeat; a job whose heartbeat stops (its worker was killed) is queued
again, and fails after EXPORT_MAX_ATTEMPTS tries (docs/deploy.md)."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from django.contrib.admin.views.main import ALL_VAR, ERROR_FLAG, PAGE_VAR
from django.core.files import File
from django.core.files.storage import Storage, storages
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from portal.models import Export

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
    """What a list's admin provides to be exported (portal.admin.exports.ExportsToFile)."""

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


def export_file(export: Export) -> File:
    """The file of a ready export, opened for reading (FileNotFoundError if it is gone)."""
    return storage().open(export.file, "rb")
