"""`manage.py stringee_reconcile --since 24h [--project <Stringee projectId>]`: read the projects'
Stringee call logs now and close the gaps the event_url left (what the worker does every
STRINGEE_CALL_LOG_SECONDS). One line per project says what changed; if Stringee could not be
read (bad credentials, busy, no answer) it exits with status 1 and one line saying why, and that
project's records are left as they were (docs/stringee.md)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from calls.reconcile import call_log_check, reconcilable_projects, since_text
from portal.stringee.errors import StringeeError


class Command(BaseCommand):
    help = (
        "Read each project's Stringee call log (GET /v1/call/log) over the last --since and "
        "reconcile the call records: calls no event told of are added, calls left in progress "
        "are ended, and what Stringee charged for each call is stored."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--since", default="24h", help="How far back: minutes, hours or days (90m, 24h, 7d)."
        )
        parser.add_argument(
            "--project", type=int, help="Only this project (its Stringee projectId)."
        )

    def handle(self, *args, **options):
        try:
            span = since_text(options["since"])
        except ValueError:
            raise CommandError(
                _("--since takes minutes, hours or days, such as 90m, 24h or 7d.")
            ) from None
        projects = reconcilable_projects()
        if options["project"] is not None:
            projects = projects.filter(stringee_project_id=options["project"])
            if not projects.exists():
                raise CommandError(
                    _("No active project with Stringee projectId %(id)s and an API key.")
                    % {"id": options["project"]}
                )
        since = timezone.now() - span
        failures = []
        for project in projects:
            try:
                check = call_log_check(project=project, since=since)
            except StringeeError as exc:
                failures.append((project, exc))
                continue
            self.stdout.write(
                _(
                    "%(project)s: %(rows)d calls in Stringee's log, %(added)d added, "
                    "%(completed)d ended, %(priced)d charges stored, %(ignored)d of another "
                    "project ignored."
                )
                % {
                    "project": project.name,
                    "rows": check.rows,
                    "added": check.added,
                    "completed": check.completed,
                    "priced": check.priced,
                    "ignored": check.ignored,
                }
            )
        if failures:
            project, error = failures[0]
            raise CommandError(
                _("Stringee's call log of %(project)s could not be read: %(reason)s")
                % {"project": project.name, "reason": error}
                + (
                    _(" (and %(n)d other projects)") % {"n": len(failures) - 1}
                    if len(failures) > 1
                    else ""
                )
            )
