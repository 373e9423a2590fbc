"""Import a CSV or XLSX file of numbers into the inventory, as the admin's "Import" page does.

All or nothing: one bad row imports no row, and the command exits with status 1 naming the
bad rows. A progress bar (tqdm) counts the rows on standard error.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from portal import services
from portal.services.number_import import UnreadableFile, read_number_file, row_problems


class Command(BaseCommand):
    help = (
        "Import virtual numbers from a CSV or XLSX file with a “Number” column (and an optional "
        "“Label”). Nothing is imported if any row is wrong."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help=("The .csv or .xlsx file to import."))
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=("Check the file without importing it."),
        )

    def handle(self, *args, file: Path, dry_run: bool, **options):
        try:
            dataset = read_number_file(file.read_bytes(), file.name)
        except OSError as exc:
            message = _("Cannot read %(file)s: %(error)s") % {"file": file, "error": exc}
            raise CommandError(message) from exc
        except UnreadableFile as exc:
            raise CommandError(str(exc)) from exc
        with tqdm(total=len(dataset), unit=_("rows"), file=self.stderr._out) as bar:
            result = services.numbers_import(
                dataset=dataset, dry_run=dry_run, on_row=lambda: bar.update(1)
            )
        problems = row_problems(result)
        if problems:
            raise CommandError(
                "\n".join([_("Nothing was imported. Fix these rows and try again:"), *problems])
            )
        totals = result.totals
        summary = _("%(new)s numbers added, %(update)s relabelled.") % {
            "new": totals["new"],
            "update": totals["update"],
        }
        if dry_run:
            summary = _("The file is fine (nothing imported): %(summary)s") % {"summary": summary}
        self.stdout.write(self.style.SUCCESS(summary))
