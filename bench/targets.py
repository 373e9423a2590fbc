"""What the load generator sends to each endpoint, for a sample of the bench tenants.

Placeholders in the templates are described in bench.workload.
"""

import json
import random
from dataclasses import dataclass
from urllib.parse import urlencode

from bench.workload import (
    ANSWER,
    BASELINE,
    BASELINE_DRF,
    EVENT,
    EVENT_LONG,
    FLOOR_ANSWER,
    FLOOR_EVENT,
    LONG_CALL_EVENTS,
    PEER_ANSWER,
    RequestTemplate,
    Workload,
)
from portal.models import AppUser, Project, VirtualNumber
from portal.phone import stringee_digits

CALLER = "84910000001"  # an outside phone: not one of the bench numbers
EVENT_STATUSES = ("created", "ringing", "answered", "ended")


@dataclass(frozen=True)
class Tenant:
    """A bench project as the webhooks see it."""

    stringee_id: int
    token: str
    number: str  # E.164, one of the project's numbers
    users: tuple[str, ...]


def sample_tenants(first_pks: list[int], count: int, seed: int = 7) -> list[Tenant]:
    """Up to `count` bench tenants picked at random (repeatably) from `first_pks`."""
    pks = sorted(random.Random(seed).sample(first_pks, min(count, len(first_pks))))
    numbers: dict[int, str] = {}
    for project_id, number in (
        VirtualNumber.objects.filter(project_id__in=pks)
        .order_by("number")
        .values_list("project_id", "number")
    ):
        numbers.setdefault(project_id, number)
    users: dict[int, list[str]] = {}
    for project_id, user_id in (
        AppUser.objects.filter(project_id__in=pks)
        .order_by("user_id")
        .values_list("project_id", "user_id")
    ):
        users.setdefault(project_id, []).append(user_id)
    return [
        Tenant(stringee_id, token, numbers[pk], tuple(users.get(pk, ("user_1", "user_2"))))
        for pk, stringee_id, token in Project.objects.filter(pk__in=pks)
        .order_by("pk")
        .values_list("pk", "stringee_project_id", "webhook_token")
        if pk in numbers
    ]


def phone_call_query(tenant: Tenant) -> str:
    """answer_url query of a call from an outside phone to the tenant's number (flow 3)."""
    digits = stringee_digits(tenant.number)
    return urlencode(
        {"from": CALLER, "to": digits, "fromInternal": "false", "uuid": "bench-{run}-{n}"},
        safe="{}",
    )


def app_call_query(tenant: Tenant) -> str:
    """answer_url query of a call from one app user to another (flow 1)."""
    caller, callee = (*tenant.users, "user_1", "user_2")[:2]
    return urlencode(
        {
            "from": caller,
            "to": callee,
            "fromInternal": "true",
            "userId": caller,
            "projectId": tenant.stringee_id,
            "custom": "",
            "callId": "call-bench-{run}-{n}",
        },
        safe="{}",
    )


def answer_workload(
    tenants: list[Tenant], prefix: str = "/answer_url", endpoint: str = ANSWER
) -> Workload:
    """Alternate phone→app and app→app calls over `tenants`."""
    templates = []
    for tenant in tenants:
        path = f"{prefix}/{tenant.stringee_id}/{tenant.token}/"
        templates.append(RequestTemplate("GET", f"{path}?{phone_call_query(tenant)}"))
        templates.append(RequestTemplate("GET", f"{path}?{app_call_query(tenant)}"))
    return Workload(endpoint, tuple(templates))


def baseline_workload(tenants: list[Tenant]) -> Workload:
    """The answer_url's requests, sent to the constant baseline view instead."""
    return answer_workload(tenants, prefix="/bench/baseline", endpoint=BASELINE)


def baseline_drf_workload(tenants: list[Tenant]) -> Workload:
    """The answer_url's requests, sent to the constant DRF baseline view instead."""
    return answer_workload(tenants, prefix="/bench/baseline-drf", endpoint=BASELINE_DRF)


def floor_answer_workload(tenants: list[Tenant]) -> Workload:
    """The answer_url's requests, sent to the floor that only parks a constant decision."""
    return answer_workload(tenants, prefix="/bench/floor-answer", endpoint=FLOOR_ANSWER)


def peer_answer_workload(tenants: list[Tenant]) -> Workload:
    """The answer_url's requests, sent to the hand-written answer_url (database on every call)."""
    return answer_workload(tenants, prefix="/bench/peer-answer", endpoint=PEER_ANSWER)


def event_body(tenant: Tenant, status: str) -> str:
    """A Stringee call event as the contract describes it; `ended` carries the CDR fields."""
    caller = tenant.users[0] if tenant.users else "user_1"
    event = {
        "call_status": status,
        "project_id": tenant.stringee_id,
        "call_id": "call-bench-{run}-{c}",
        "timestamp_ms": "{t}",
        "type": "stringee_call",
        "request_from_user_id": caller,
        "account_sid": "AC.bench",
        "from": {"number": caller, "alias": caller, "is_online": True, "type": "internal"},
        "to": {"number": CALLER, "alias": CALLER, "is_online": False, "type": "external"},
        "clientCustomData": "",
    }
    if status == "ended":
        event.update(
            callCreatedReason="CLIENT_MAKE_CALL",
            endCallCause="200 OK",
            endedBy="EXTERNAL",
            callType="CALL",
            duration=42,
            answerDuration=40,
        )
    # "{t}" must become a JSON number once filled in.
    return json.dumps(event, separators=(",", ":")).replace('"{t}"', "{t}")


def event_workload(tenants: list[Tenant]) -> Workload:
    """Each call of each tenant reports created, ringing, answered and ended, in that order."""
    return _calls(tenants, EVENT_STATUSES, EVENT)


def event_long_workload(tenants: list[Tenant]) -> Workload:
    """Calls of LONG_CALL_EVENTS events: created, ringing, answered, then `answered` again (a
    distinct event each time: its own time) until the last, ended."""
    middle = ["answered"] * (LONG_CALL_EVENTS - 4)
    return _calls(tenants, ("created", "ringing", "answered", *middle, "ended"), EVENT_LONG)


def floor_event_workload(tenants: list[Tenant]) -> Workload:
    """The event_url's requests, sent to the floor that only INSERTs the raw body."""
    return _calls(tenants, EVENT_STATUSES, FLOOR_EVENT, prefix="/bench/floor-event")


def _calls(
    tenants: list[Tenant], statuses: tuple[str, ...], endpoint: str, prefix: str = "/event_url"
) -> Workload:
    templates = []
    for tenant in tenants:
        path = f"{prefix}/{tenant.stringee_id}/{tenant.token}/"
        templates.extend(RequestTemplate("POST", path, event_body(tenant, s)) for s in statuses)
    return Workload(endpoint, tuple(templates), group=len(statuses))
