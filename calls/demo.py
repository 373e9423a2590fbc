"""Demo and benchmark call history: plausible call records generated in bulk, a few with full
stories."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from calls.models import CallDecision, CallEvent, CallRecord, Recording
from portal.devtools import demo
from portal.models import Project, VirtualNumber
from portal.phone import stringee_digits
from routing import engine
from routing.cache import routing_table
from routing.engine.types import Call
from routing.links import WebhookLinks
from routing.models import RoutingErrorLog

# (status, weight, end cause, ended by)
OUTCOMES = [
    ("answered", 64, "200 OK", "caller"),
    ("no_answer", 12, "480 Temporarily Unavailable", "system"),
    ("cancelled", 8, "487 Request Terminated", "caller"),
    ("busy", 9, "486 Busy Here", "callee"),
    ("failed", 7, "503 Service Unavailable", "system"),
]
DIRECTIONS = [
    ("phone_to_app", 45),
    ("app_to_phone", 25),
    ("app_to_app", 20),
    ("phone_to_phone", 10),
]


def _weighted(rng: random.Random, choices: list) -> tuple:
    return rng.choices(choices, weights=[c[1] for c in choices])[0]


def _moment(rng: random.Random, now: datetime, days: int) -> datetime:
    """A start time within `days`, busier in (local) office hours."""
    while True:
        at = now - timedelta(seconds=rng.uniform(0, days * 86400))
        hour = timezone.localtime(at).hour
        if rng.random() < (0.95 if 8 <= hour < 18 else 0.15):
            return at


def fake_records(
    project: Project,
    *,
    count: int,
    days: int,
    numbers: list,
    users: list[str],
    now: datetime | None = None,
    seed: int = 7,
    prefix: str = "demo",
) -> Iterator[CallRecord]:
    """`count` unsaved records of `project` over the last `days` (for bulk_create)."""
    rng = random.Random(seed)
    now = now or timezone.now()
    outside = ["+84901234567", "+84909876543", "+84912345678", "+84987654321", "+84935123456"]
    for index in range(count):
        started = _moment(rng, now, days)
        direction = _weighted(rng, DIRECTIONS)[0]
        status, _, cause, by = _weighted(rng, OUTCOMES)
        if started > now - timedelta(minutes=3) and rng.random() < 0.5:
            status, cause, by = "in_progress", "", ""
        ring = rng.randint(2, 25)
        talk = rng.randint(15, 600) if status == "answered" else 0
        number = rng.choice(numbers) if numbers and "phone" in direction else None
        from_app, to_app = direction.startswith("app"), direction.endswith("app")
        yield CallRecord(
            project=project,
            call_id=f"call-{prefix}-{index:07d}-{int(started.timestamp() * 1000)}",
            direction=direction,
            from_user=rng.choice(users) if from_app and users else "",
            to_user=rng.choice(users) if to_app and users else "",
            from_number="" if from_app else rng.choice(outside),
            to_number=(number.number if number and not from_app else rng.choice(outside))
            if not to_app
            else "",
            virtual_number=number,
            started_at=started,
            answered_at=started + timedelta(seconds=ring) if status == "answered" else None,
            ended_at=None if status == "in_progress" else started + timedelta(seconds=ring + talk),
            ring_seconds=None if status == "in_progress" else ring,
            talk_seconds=None if status == "in_progress" else talk,
            status=status,
            end_cause=cause,
            ended_by=by,
        )


def _started(record: CallRecord) -> datetime:
    """When a generated record's call started (`fake_records` gives every record a start)."""
    if record.started_at is None:
        raise ValueError(f"call record {record.call_id} has no start time")
    return record.started_at


def _story(
    project: Project, record: CallRecord, call: Call, decisions: list[dict], recorded: bool
) -> None:
    """Events, decisions, a recording for one record, as Stringee and the answer_url would leave
    them."""
    started = _started(record)
    t0 = int(started.timestamp() * 1000)
    parties = {
        "from": {
            "number": call.from_raw,
            "alias": call.from_raw,
            "type": "internal" if call.from_internal else "external",
        },
        "to": {"number": call.to_raw, "alias": call.to_raw, "type": "external"},
    }
    steps = [("created", 0), ("ringing", 1000)]
    if record.status == "answered":
        steps.append(("answered", (record.ring_seconds or 0) * 1000))
    if record.ended_at:
        steps.append(("ended", int((record.ended_at - started).total_seconds() * 1000)))
    for status, offset in steps:
        payload = {
            "call_status": status,
            "call_id": record.call_id,
            "timestamp_ms": t0 + offset,
            "type": "stringee_call",
            "project_id": project.stringee_project_id,
            **parties,
        }
        if status == "ended":
            payload |= {
                "endCallCause": record.end_cause,
                "endedBy": record.ended_by,
                "answerDuration": record.talk_seconds or 0,
            }
        CallEvent.objects.get_or_create(
            project=project,
            call_id=record.call_id,
            status=status,
            timestamp_ms=t0 + offset,
            defaults={"payload": payload, "occurred_at": started + timedelta(milliseconds=offset)},
        )
    CallDecision.objects.bulk_create(
        [
            CallDecision(
                project=project,
                call_id=record.call_id,
                token=f"demo-{record.call_id}-{index}"[:32],
                parked_us=int(started.timestamp() * 1_000_000) + index,
                decision=decision,
            )
            for index, decision in enumerate(decisions)
        ],
        ignore_conflicts=True,
    )
    if recorded and record.status == "answered":
        url = f"https://api.stringee.com/v1/call/recording/{record.call_id}"  # Stringee's form
        record.recording_url = url
        Recording.objects.get_or_create(
            project=project,
            url=url,
            defaults={
                "call": record,
                "format": "mp3",
                "duration_seconds": record.talk_seconds,
                "payload": {"url": url},
            },
        )
    record.save()


HOTLINE = "hotline"


def _demo_call(record: CallRecord, index: int) -> Call:
    """The call the demo tenant's routing saw for `record`; the record's parties are made to
    agree."""
    caller = record.from_number or "+84901234567"
    if record.direction == "phone_to_app":
        record.virtual_number = VirtualNumber.objects.filter(number=demo.PHONE_NUMBER_1).first()
        record.to_number, record.to_user = demo.PHONE_NUMBER_1, "user_1"
        if record.status == "failed":  # a caller who dialled a number the project gave back
            record.virtual_number, record.to_number, record.to_user = None, demo.INVENTORY[0], ""
        to = record.to_number
    elif record.direction == "phone_to_phone":
        record.virtual_number = VirtualNumber.objects.filter(number=demo.PHONE_NUMBER_4).first()
        record.to_number, to = demo.PHONE_NUMBER_3, demo.PHONE_NUMBER_4
    elif record.direction == "app_to_phone":
        record.from_user, record.to_number, caller = "user_1", demo.PHONE_NUMBER_2, "user_1"
        to = demo.PHONE_NUMBER_2
    else:
        record.from_user, caller = ("user_2", "user_2")
        record.to_user = "user_1"
        to = HOTLINE if index % 2 == 0 else "user_1"
    internal = record.direction.startswith("app")
    return Call(
        caller if internal else stringee_digits(caller),
        to if not to.startswith("+") else stringee_digits(to),
        internal,
        _started(record),
        call_id=record.call_id,
    )


@transaction.atomic
def seed_demo_calls(project: Project, count: int = 400, days: int = 30) -> int:
    """Give the demo tenant a call history (once): `count` records, the latest ones with full
    stories."""
    if project.call_records.exists():
        return 0
    numbers = list(project.numbers.all())
    users = list(project.app_users.values_list("user_id", flat=True))
    records = CallRecord.objects.bulk_create(
        fake_records(project, count=count, days=days, numbers=numbers, users=users)
    )
    table, links = routing_table(project), WebhookLinks(project)
    latest = sorted(records, key=_started, reverse=True)[:16]
    for index, record in enumerate(latest):
        call = _demo_call(record, index)
        decision = engine.route(table, call, links)
        decisions = [decision.as_log()]
        if call.to_raw == HOTLINE:
            menu = next((m for m in table.menus.values() if m["name"] == "Demo hotline"), None)
            if menu is not None:
                decisions.append(
                    engine.ivr_step(engine.Context(call, table, links), menu["id"], "1", 1).as_log()
                )
        if not decision.matched:
            RoutingErrorLog.objects.create(
                project=project,
                call_id=record.call_id,
                params={"from": call.from_raw, "to": call.to_raw},
                error=decision.reason,
            )
        _story(project, record, call, decisions, recorded=index % 2 == 0)
    return len(records)
