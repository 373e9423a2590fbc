"""Reading a file of numbers (CSV or XLSX) into the inventory: one row per number, all or nothing.

The file has a "Number" column (any typed form: +84 90 123 4567, 0901234567, 84901234567) and an
optional "Label" column. A number new to the inventory is added as available; one already there
keeps its owner and status and only takes the file's label. A row with a bad number, a too long
label or a number already given earlier in the file is an error that names the row, and any
error leaves the inventory as it was (see `portal.services.numbers_import`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import tablib
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources
from import_export.results import Result

from portal.models import VirtualNumber
from portal.phone import normalize_or_none

NUMBER_COLUMN = "Number"
LABEL_COLUMN = "Label"
FILE_FORMATS = {".csv": "csv", ".xlsx": "xlsx"}


class UnreadableFile(ValueError):
    """The file is not a CSV or XLSX file the portal can read."""


class NumberResource(resources.ModelResource):
    """One row of a number file ↔ one VirtualNumber (looked up by its E.164 form)."""

    number = fields.Field(attribute="number", column_name=NUMBER_COLUMN)
    label = fields.Field(attribute="label", column_name=LABEL_COLUMN)

    class Meta:
        model = VirtualNumber
        fields = ("number", "label")
        import_id_fields = ("number",)
        clean_model_instances = True
        skip_unchanged = False
        use_transactions = True

    def __init__(self, on_row: Callable[[], None] | None = None, **kwargs):
        super().__init__(**kwargs)
        self.on_row = on_row
        self.rows_by_number: dict[str, int] = {}

    def before_import(self, dataset, **kwargs):
        """Column names are matched whatever their case or spacing ("number", " LABEL ")."""
        wanted = {name.lower(): name for name in (NUMBER_COLUMN, LABEL_COLUMN)}
        wanted.update(
            {str(_("Number")).lower(): NUMBER_COLUMN, str(_("Label")).lower(): LABEL_COLUMN}
        )
        dataset.headers = [
            wanted.get(str(header or "").strip().lower(), header) for header in dataset.headers
        ]
        if NUMBER_COLUMN not in dataset.headers:
            raise ValidationError(gettext("The file has no “Number” column."))

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        instance.label = instance.label or ""
        e164 = normalize_or_none(instance.number)
        row_number: int = kwargs["row_number"]
        if e164 is None:
            return  # full_clean says why the number is not valid
        first = self.rows_by_number.setdefault(e164, row_number)
        if first != row_number:
            raise ValidationError(
                {
                    "number": gettext("%(number)s is already in row %(row)s.")
                    % {
                        "number": e164,
                        "row": first,
                    }
                }
            )

    def after_import_row(self, row, row_result, **kwargs):
        if self.on_row is not None:
            self.on_row()


def read_number_file(content: bytes, name: str) -> tablib.Dataset:
    """The rows of a CSV or XLSX file, by its extension; UnreadableFile says what is wrong."""
    file_format = FILE_FORMATS.get(Path(name).suffix.lower())
    if file_format is None:
        raise UnreadableFile(gettext("Choose a .csv or .xlsx file."))
    try:
        data = content.decode("utf-8-sig") if file_format == "csv" else content
        return tablib.Dataset().load(data, format=file_format)
    except Exception as exc:  # tablib and openpyxl raise many kinds on a damaged file
        raise UnreadableFile(
            gettext("The file could not be read as %(format)s.") % {"format": file_format.upper()}
        ) from exc


def row_problems(result: Result) -> list[str]:
    """One line per bad row (and per problem with the file itself), in plain words."""
    lines = [
        gettext("The file: %(error)s") % {"error": _message(e.error)} for e in result.base_errors
    ]
    for invalid in result.invalid_rows:
        messages = "; ".join(
            message for messages in invalid.error_dict.values() for message in messages
        )
        lines.append(gettext("Row %(row)s: %(error)s") % {"row": invalid.number, "error": messages})
    for row_number, errors in result.row_errors():
        for error in errors:
            lines.append(
                gettext("Row %(row)s: %(error)s")
                % {"row": row_number, "error": _message(error.error)}
            )
    return lines


def _message(error: BaseException) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(error.messages)
    return str(error)
