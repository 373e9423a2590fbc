"""`manage.py seed_demo [--json] [--calls N]`: create the demo tenant (idempotent) and describe
it."""

import json

from django.core.management.base import BaseCommand

from calls.demo import seed_demo_calls
from portal.audit import acting_as_command
from portal.devtools.demo import demo_exists, describe, seed_demo
from routing.demo import seed_demo_routing


class Command(BaseCommand):
    help = "Create the demo tenant (safe to run again) and print how to use it."

    def add_arguments(self, parser):
        parser.add_argument(
            "--json", action="store_true", help="Print the tenant as one JSON object."
        )
        parser.add_argument(
            "--calls",
            type=int,
            default=0,
            help="Also give the tenant a history of this many calls (only if it has none yet).",
        )

    def handle(self, *args, **options):
        with acting_as_command("seed_demo"):
            existed = demo_exists()
            project = seed_demo()
            seed_demo_routing(project)
            if options["calls"]:
                seed_demo_calls(project, count=options["calls"])
        info = describe(project, new_secret="" if existed else project.api_key_secret)
        if options["json"]:
            self.stdout.write(json.dumps(info, indent=2))
            return
        self.stdout.write(
            self.style.SUCCESS(f"Demo tenant ready: {info['name']} (projectId {info['projectId']})")
        )
        self.stdout.write(f"  answer_url: {info['answerUrl']}")
        self.stdout.write(f"  event_url:  {info['eventUrl']}")
        self.stdout.write(f"  numbers:    {', '.join(info['numbers'])}")
        self.stdout.write(f"  app users:  {', '.join(info['users'])}")
        self.stdout.write(
            f"  admin login: {info['admin']['username']} / {info['admin']['password']}"
            f"   tenant owner: {info['owner']['username']} / {info['owner']['password']}"
        )
