"""Delete call events and records older than each project's `retention_days`, in batches."""

from collections.abc import Callable
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db.models import Model, QuerySet
from django.utils import timezone

from calls.models import CallEvent, CallRecord
from portal.models import Project


def delete_in_batches(queryset: QuerySet, batch_size: int, progress: Callable[[int], None]) -> int:
    """Delete the rows of `queryset` `batch_size` at a time (short transactions); rows deleted.

    `progress` is told the running total after each batch.
    """
    model: type[Model] = queryset.model
    total = 0
    while True:
        ids = list(queryset.values_list("pk", flat=True)[:batch_size])
        if not ids:
            return total
        # Recordings go with their record (on_delete=CASCADE); only the model's own rows count here.
        model.objects.filter(pk__in=ids).delete()
        total += len(ids)
        progress(total)


class Command(BaseCommand):
    help = "Delete call events and call records older than each project's retention (retention_days)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000, help="Rows per delete (default 1000).")

    def handle(self, *args, batch_size: int, **options):
        now = timezone.now()
        events = records = 0
        for project in Project.objects.order_by("pk"):
            cutoff = now - timedelta(days=project.retention_days)
            old_events = CallEvent.objects.filter(project=project, received_at__lt=cutoff)
            old_records = CallRecord.objects.filter(project=project, created_at__lt=cutoff)
            gone_events = delete_in_batches(old_events, batch_size, self._progress(project, "events"))
            gone_records = delete_in_batches(old_records, batch_size, self._progress(project, "records"))
            events, records = events + gone_events, records + gone_records
            if gone_events or gone_records:
                self.stdout.write(
                    f"{project}: {gone_events} events, {gone_records} records older than "
                    f"{project.retention_days} days deleted"
                )
        self.stdout.write(self.style.SUCCESS(f"Done: {events} events and {records} records deleted."))

    def _progress(self, project: Project, what: str) -> Callable[[int], None]:
        return lambda total: self.stdout.write(f"{project}: {total} {what} deleted so far")
