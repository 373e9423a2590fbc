"""Time "What changes?" for a tenant with 10,000 calls in the last week: `python -m bench.what_if`.

Builds its own SQLite file (or, with `--database-url postgres://…/<name>`, drops and creates
database <name> on that server), loads the demo tenant with its rules and menus plus `--calls`
call records spread over the last 7 days, and another tenant with a tenth as many (whose calls
must not be replayed). The edit is the one staff make most: a new rule sending weekday evening
calls to the first number to voicemail. It then times, `--runs` times each:

- `routing.what_if.what_changes`: the snapshot compiled, the calls read, every call routed twice;
- the whole request staff make: the add form's POST to `…/routingrule/what-changes/` as the
  tenant's owner (form checks, replay, the answer's HTML).

Calls alike (same called party, app or phone, same days, hours and caller patterns met) are
routed once; `--distinct-parties` gives every call parties of its own, the worst case. The goal
is under 2 s for 10,000 calls (issue 26). Figures go to BENCHMARKS.md by hand.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import time as dt_time


def _setup(database_url: str) -> None:
    os.environ.update(DATABASE_URL=database_url, DEBUG="false", ALLOWED_HOSTS="testserver")
    os.environ.setdefault("SECRET_KEY", "bench-what-if-" + "x" * 40)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()


def load(calls: int, distinct: bool):
    """The demo tenant with `calls` records of the last week, another tenant, and its owner.
    `distinct`: every call has a caller (and every call to a phone a called number) of its own,
    the replay's worst case (no two calls alike: each is routed twice)."""
    from calls.demo import fake_records
    from calls.models import CallRecord
    from portal.devtools.demo import seed_demo
    from portal.models import Membership
    from portal.tests.factories import MembershipFactory, ProjectFactory, VirtualNumberFactory
    from routing.demo import seed_demo_routing

    project = seed_demo()
    seed_demo_routing(project)
    other = ProjectFactory(name="Other tenant")
    theirs = [VirtualNumberFactory(project=other, number="+84899200002")]
    for tenant, count, numbers in (
        (project, calls, list(project.numbers.all())),
        (other, calls // 10, theirs),
    ):
        users = list(tenant.app_users.values_list("user_id", flat=True)) or ["agent"]
        records = fake_records(
            tenant, count=count, days=7, numbers=numbers, users=users, prefix=f"wi{tenant.pk}"
        )
        if distinct:
            records = (_own_parties(record, index) for index, record in enumerate(records))
        CallRecord.objects.bulk_create(records, batch_size=2000)
    owner = MembershipFactory(project=project, role=Membership.Role.OWNER).user
    return project, owner


def _own_parties(record, index: int):
    if record.from_number:
        record.from_number = f"+8490{index:07d}"
    if record.direction == "app_to_phone":
        record.to_number = f"+8491{index:07d}"
    return record


def evening_rule(project) -> dict:
    """The add form of a rule: weekday evening calls to the first number go to voicemail."""
    from portal.devtools.demo import PHONE_NUMBER_1
    from portal.models import VirtualNumber

    number = VirtualNumber.objects.get(number=PHONE_NUMBER_1)
    return {
        "project": project.pk,
        "name": "Evenings",
        "priority": 1,
        "enabled": "on",
        "direction": "phone",
        "called_kind": "number",
        "called_number": number.pk,
        "schedule_days": "Mon-Fri",
        "schedule_start": "18:00",
        "schedule_end": "19:00",
        "business_hours": "any",
        "destination_kind": "voicemail",
        "record_format": "mp3",
        "on_fail_kind": "message",
        "peer_to_peer_call": "unknown",
    }


def _time(function: Callable[[], object], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return times


def _summary(times: list[float]) -> str:
    return (
        f"median {statistics.median(times):7.1f} ms (min {min(times):7.1f}, max {max(times):7.1f})"
    )


def measure(project, owner, runs: int) -> None:
    from django.test import Client

    from portal.devtools.second_factor import mark_verified
    from portal.models import VirtualNumber
    from routing.models import RoutingRule
    from routing.what_if import rule_edit, what_changes

    form = evening_rule(project)
    rule = RoutingRule(
        project=project,
        name="Evenings",
        priority=1,
        direction="phone",
        called_kind="number",
        called_number=VirtualNumber.objects.get(pk=form["called_number"]),
        schedule_days="12345",
        schedule_start=dt_time(18),
        schedule_end=dt_time(19),
        destination_kind="voicemail",
    )
    replay = what_changes(project, rule_edit(rule))
    print(f"replayed {replay.replayed:,} calls; {replay.moved:,} would go elsewhere, in")
    for move in replay.moves[:3]:
        print(f"  {move.summary}")
    alone = _time(lambda: what_changes(project, rule_edit(rule)), runs)
    print(f"what_changes()           {_summary(alone)}")
    client = Client()
    client.force_login(owner)
    mark_verified(client, owner)

    def post() -> None:
        response = client.post("/admin/routing/routingrule/what-changes/", form)
        assert response.status_code == 200 and b"would go elsewhere" in response.content

    post()
    print(f"POST …/what-changes/     {_summary(_time(post, runs))}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--distinct-parties", action="store_true", help="no two calls alike (the worst case)"
    )
    parser.add_argument("--database-url", default="sqlite:////tmp/portal-bench-what-if.sqlite3")
    args = parser.parse_args(argv)
    if args.database_url.startswith("sqlite:///"):
        path = args.database_url.removeprefix("sqlite:///")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
    elif args.database_url.startswith(("postgres://", "postgresql://")):
        from bench.services import create_database

        server, name = args.database_url.rsplit("/", 1)
        create_database(server, name)
    _setup(args.database_url)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    project, owner = load(args.calls, args.distinct_parties)
    print(
        f"loaded {args.calls:,} calls (+{args.calls // 10:,} of another tenant)"
        f" in {time.perf_counter() - started:.0f} s; database: {connection.vendor}"
    )
    print(f"load average before timing: {os.getloadavg()}; {args.runs} runs")
    measure(project, owner, args.runs)
    print(f"load average after timing:  {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
