"""Place a test call through the Stringee call emulator and print what happened, step by step.

Against a running portal (`--base-url`, default PUBLIC_BASE_URL) over HTTP, or inside this
process (`--in-process`, or when nothing answers at the default address). The call never
pauses: keys not given are not pressed (the menu times out), callees without an outcome answer.
"""

from __future__ import annotations

import json

import httpx
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from calls.emulator import CallSetup, Emulator, Outcome, Run
from calls.emulator.project import in_process_transport, portal_for
from calls.models import CallRecord
from portal.models import Project

NO_KEY = "-"


class Command(BaseCommand):
    help = (
        "Place a test call to a project as Stringee would (answer_url, SCCO, callbacks, events) "
        "and print what the caller hears at each step. The call lands in the call log marked as "
        "a test call, left out of the dashboard and exports."
    )

    def add_arguments(self, parser):
        parser.add_argument("--project", type=int, required=True, help="Stringee project id.")
        parser.add_argument("--from", dest="caller", required=True, help="Caller: phone or user.")
        parser.add_argument("--to", dest="called", required=True, help="Called number or user.")
        parser.add_argument(
            "--app", action="store_true", help="An app user calls (else a phone calls a number)."
        )
        parser.add_argument("--user", default="", help="The calling app user (default: --from).")
        parser.add_argument("--custom", default="", help="makeCall's custom string (app calls).")
        parser.add_argument(
            "--keys",
            nargs="+",
            default=[],
            metavar="KEYS",
            help=f"Keys pressed at each menu in turn (e.g. 3 1, or 3,1); {NO_KEY} presses none.",
        )
        parser.add_argument(
            "--outcome",
            nargs="+",
            default=[],
            choices=[str(outcome) for outcome in Outcome],
            help="What each rung callee does in turn (then: answered).",
        )
        parser.add_argument(
            "--base-url", default="", help="The running portal (default PUBLIC_BASE_URL)."
        )
        parser.add_argument(
            "--in-process", action="store_true", help="Answer with this process, no server."
        )
        parser.add_argument("--talk-seconds", type=int, default=30, help="Talk time if answered.")
        parser.add_argument("--timeout", type=float, default=10.0, help="Seconds per request.")
        parser.add_argument("--json", action="store_true", help="Print the call as JSON.")

    def handle(self, *args, **options):
        project = Project.objects.filter(stringee_project_id=options["project"]).first()
        if project is None:
            raise CommandError(f"No project with Stringee project id {options['project']}.")
        emulator, where = self._emulator(project, options)
        setup = CallSetup(
            from_=options["caller"],
            to=options["called"],
            app=options["app"],
            user_id=options["user"],
            custom=options["custom"],
            keys=_keys(options["keys"]),
            outcomes=options["outcome"],
            talk_seconds=options["talk_seconds"],
        )
        run = emulator.run(setup)
        if options["json"]:
            shown = {**run.as_json(), "portal": where, "record": _record(project, run)}
            self.stdout.write(json.dumps(shown, indent=2, ensure_ascii=False))
        else:
            self._print(run, where, _record(project, run))

    def _emulator(self, project: Project, options: dict) -> tuple[Emulator, str]:
        """Over HTTP to the portal asked for; in this process when asked, or when nothing
        answers at the default address."""
        timeout = options["timeout"]
        if options["in_process"]:
            return _in_process(project, timeout), "in-process"
        base = (options["base_url"] or settings.PUBLIC_BASE_URL).rstrip("/")
        try:
            httpx.get(f"{base}/healthz", timeout=2)
        except httpx.HTTPError as error:
            if options["base_url"]:
                raise CommandError(f"No portal answers at {base} ({error}).") from None
            return _in_process(project, timeout), "in-process"
        return Emulator(portal_for(project, base), timeout=timeout), base

    def _print(self, run: Run, where: str, record: dict | None) -> None:
        self.stdout.write(f"Test call {run.call_id} ({where})")
        for step in run.steps:
            if (
                step["kind"] in ("event", "answer_url", "callback")
                and (step["http"] or {}).get("status") == 200
            ):
                continue  # requests the portal took: shown with --json
            self.stdout.write(f"{step['at']:>7.1f} s  {step['says']}")
        if record:
            self.stdout.write(
                f"Call log: {record['status']}, ring {record['ring_seconds']} s, "
                f"talk {record['talk_seconds']} s, test call."
            )


def _in_process(project: Project, timeout: float) -> Emulator:
    return Emulator(portal_for(project), transport=in_process_transport(), timeout=timeout)


def _keys(values: list[str]) -> list[str]:
    """One entry per menu: values split at commas, `-` for no key."""
    keys = [part.strip() for value in values for part in value.split(",")]
    return ["" if part == NO_KEY else part for part in keys]


def _record(project: Project, run: Run) -> dict | None:
    """The call's record as the call log shows it (None if the portal stored none here)."""
    record = CallRecord.objects.filter(project=project, call_id=run.call_id).first()
    if record is None:
        return None
    return {
        "status": record.status,
        "direction": record.direction,
        "ring_seconds": record.ring_seconds,
        "talk_seconds": record.talk_seconds,
        "end_cause": record.end_cause,
        "recording_url": record.recording_url,
        "test_call": record.is_test,
    }
