"""Delete call data, routing errors and signature failures older than each project's retention,
recordings older than its recording retention (the calls themselves stay; the portal's copies of
their audio go with them, calls.copies), and CSV exports older
than EXPORT_RETENTION_DAYS (the worker removes those too). The dashboard's rollups of the days
pruned go too (calls.rollups.rollups_forget)."""

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db.models import Model, QuerySet
from django.utils import timezone

from calls.copies import recording_copies_delete
from calls.models import CallDecision, CallEvent, CallRecord, Recording
from calls.rollups import rollups_forget
from portal.exports import exports_prune
from portal.models import Project, WebhookSignatureFailure
from routing.models import RoutingErrorLog


def delete_in_batches(queryset: QuerySet, batch_size: int, progress: Callable[[int], None]) -> int:
    """Delete the rows of `queryset` `batch_size` at a time (short transactions); rows deleted.

    Each batch picks its ids on an index ((project, received_at/created_at)) and deletes them by
    primary key, so no statement scans or locks more than one batch. `progress` is told the
    running total after each batch.
    """
    model: type[Model] = queryset.model
    total = 0
    while True:
        ids = list(queryset.values_list("pk", flat=True)[:batch_size])
        if not ids:
            return total
        # Recordings go with their record (on_delete=CASCADE); only the model's own rows count here.
        model._default_manager.filter(pk__in=ids).delete()
        total += len(ids)
        progress(total)


def purge_recordings(queryset: QuerySet, batch_size: int, progress: Callable[[int], None]) -> int:
    """Delete the recordings of `queryset` in batches, with the portal's copies of their audio;
    their calls stay but lose the link."""
    total = 0
    while True:
        batch = list(queryset.values_list("pk", "call_id", "url", "copy_name")[:batch_size])
        if not batch:
            return total
        Recording.objects.filter(pk__in=[pk for pk, *_ in batch]).delete()
        CallRecord.objects.filter(
            pk__in={call for _, call, _, _ in batch},
            recording_url__in=[url for _, _, url, _ in batch],
        ).update(recording_url="")
        recording_copies_delete(name for *_, name in batch)
        total += len(batch)
        progress(total)


class Command(BaseCommand):
    help = (
        "Delete call events, call records, routing decisions, routing errors and webhook signature "
        "failures older than each project's retention (retention_days), recordings older "
        "than its recording retention (recording_retention_days), and CSV exports older than "
        "EXPORT_RETENTION_DAYS. The dashboard's daily rollups of the days pruned are dropped too; "
        "it counts them again from the records left."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size", type=int, default=1000, help="Rows per delete (default 1000)."
        )

    def handle(self, *args, batch_size: int, **options):
        now = timezone.now()
        totals = dict.fromkeys(
            (
                "events",
                "records",
                "recordings",
                "routing decisions",
                "routing errors",
                "signature failures",
                "rollup days",
            ),
            0,
        )
        for project in Project.objects.order_by("pk"):
            cutoff = now - timedelta(days=project.retention_days)
            # The recordings of the calls about to go first, so their copies' files go too.
            calls_gone = purge_recordings(
                Recording.objects.filter(project=project, call__created_at__lt=cutoff),
                batch_size,
                self._progress(project, "recordings"),
            )
            old = {
                "events": CallEvent.objects.filter(project=project, received_at__lt=cutoff),
                "records": CallRecord.objects.filter(project=project, created_at__lt=cutoff),
                "routing decisions": CallDecision.objects.filter(
                    project=project, created_at__lt=cutoff
                ),
                "routing errors": RoutingErrorLog.objects.filter(
                    project=project, created_at__lt=cutoff
                ),
                "signature failures": WebhookSignatureFailure.objects.filter(
                    project=project, at__lt=cutoff
                ),
            }
            gone = {
                what: delete_in_batches(rows, batch_size, self._progress(project, what))
                for what, rows in old.items()
            }
            gone["recordings"] = calls_gone + self._purge_recordings(project, now, batch_size)
            gone["rollup days"] = rollups_forget(project=project, before=cutoff)
            totals = {what: totals[what] + gone[what] for what in totals}
            if any(gone.values()):
                counts = ", ".join(f"{count} {what}" for what, count in gone.items())
                self.stdout.write(
                    f"{project}: {counts} older than {project.retention_days} days deleted"
                )
        done = f"Done: {totals['events']} events and {totals['records']} records deleted."
        also = (
            f"{totals['routing decisions']} routing decisions, "
            f"{totals['routing errors']} routing errors."
        )
        also += f" {totals['signature failures']} webhook signature failures."
        also += f" {totals['recordings']} recordings past their recording retention."
        also += f" {exports_prune()} CSV exports past {settings.EXPORT_RETENTION_DAYS} days."
        also += f" {totals['rollup days']} days of dashboard rollups."
        self.stdout.write(self.style.SUCCESS(f"{done} Also {also}"))

    def _purge_recordings(self, project: Project, now, batch_size: int) -> int:
        if project.recording_retention_days is None:
            return 0
        cutoff = now - timedelta(days=project.recording_retention_days)
        old = Recording.objects.filter(project=project, received_at__lt=cutoff)
        return purge_recordings(old, batch_size, self._progress(project, "recordings"))

    def _progress(self, project: Project, what: str) -> Callable[[int], None]:
        return lambda total: self.stdout.write(f"{project}: {total} {what} deleted so far")
