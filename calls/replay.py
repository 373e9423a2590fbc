"""The project's past calls as the answer_url saw them, for routing's "What changes?" replay
(routing.what_if): who called whom, and when, read from the call records."""

from __future__ import annotations

from datetime import datetime

from calls.models import CallRecord
from portal.models import Project
from portal.phone import stringee_digits
from routing.engine.types import Call


def _wire(number: str) -> str:
    return stringee_digits(number) if number else ""


def recent_calls(project: Project, since: datetime, limit: int) -> list[Call]:
    """The project's calls started since `since`, the latest `limit` at most, as `Call`s (test
    calls placed with the call emulator left out).

    A call from a phone to one of the project's numbers was routed by the number dialled (the
    record's virtual number), whoever it reached in the end; an app user's call by the number or
    app user it was made to.
    """
    rows = (
        CallRecord.objects.filter(project=project, started_at__gte=since, is_test=False)
        .order_by("-started_at")
        .values_list(
            "direction",
            "from_number",
            "from_user",
            "to_number",
            "to_user",
            "virtual_number__number",
            "started_at",
            "call_id",
        )[:limit]
    )
    calls = []
    for direction, from_number, from_user, to_number, to_user, dialled, at, call_id in rows:
        internal = direction.startswith("app")
        caller = from_user if internal else _wire(from_number)
        if direction.startswith("phone") and dialled:
            called = _wire(dialled)
        elif direction.endswith("phone") or (to_number and not to_user):
            called = _wire(to_number)
        else:
            called = to_user
        if not caller or not called or at is None:
            continue
        calls.append(Call(caller, called, internal, at, call_id=call_id))
    return calls
