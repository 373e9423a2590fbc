"""Count the finished days of each project's calls again and store them as the dashboard's daily
rollups: after an import of call records, a correction, or ahead of the first dashboard view."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from calls.rollups import rollup_time_zones, rollups_recount
from portal.models import Project


class Command(BaseCommand):
    help = (
        "Count the finished days of the last --days days (default 30, what the dashboard shows) "
        "again from the call records and store them, for every project (or those given with "
        "--project) in its time zone and in every other time zone it has rollups in. Today and "
        "yesterday are never stored: the dashboard counts them live."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--project",
            type=int,
            action="append",
            dest="projects",
            metavar="ID",
            help="Only this project (its id; repeat for more).",
        )
        parser.add_argument(
            "--days", type=int, default=30, help="How many days back from today (default 30)."
        )

    def handle(self, *args, projects: list[int] | None, days: int, **options):
        if days < 1:
            raise CommandError("--days must be at least 1.")
        chosen = Project.objects.order_by("pk")
        if projects:
            chosen = chosen.filter(pk__in=projects)
            unknown = set(projects) - set(chosen.values_list("pk", flat=True))
            if unknown:
                raise CommandError(f"No project with id {', '.join(map(str, sorted(unknown)))}.")
        now, total, count = timezone.now(), 0, 0
        for project in chosen:
            count += 1
            for zone in rollup_time_zones(project):
                today = now.astimezone(ZoneInfo(zone)).date()
                counted = rollups_recount(
                    project=project,
                    time_zone=zone,
                    first=today - timedelta(days=days - 1),
                    last=today,
                )
                total += len(counted)
                if counted:
                    self.stdout.write(
                        f"{project} ({zone}): {len(counted)} days counted, "
                        f"{counted[0]} to {counted[-1]}"
                    )
        self.stdout.write(self.style.SUCCESS(f"Done: {total} days counted (projects: {count})."))
