"""Put released numbers whose quarantine is over back into the inventory, and say which."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from portal.audit import acting_as_command
from portal.models import VirtualNumber
from portal.services import numbers_recycle


class Command(BaseCommand):
    help = "Move numbers out of an expired quarantine back into the inventory (status available)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List the due numbers; change nothing."
        )

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        now = timezone.now()
        due = list(
            VirtualNumber.objects.filter(
                status=VirtualNumber.Status.QUARANTINED, quarantined_until__lte=now
            ).values_list("number", flat=True)
        )
        for number in due:
            self.stdout.write(f"{'would recycle' if dry_run else 'recycled'} {number}")
        if dry_run:
            count = len(due)
        else:
            with acting_as_command("recycle_numbers"):
                count = numbers_recycle(now=now)
        verb = "would be back" if dry_run else "back"
        self.stdout.write(self.style.SUCCESS(f"{count} number(s) {verb} in the inventory."))
