"""Refuse a destination the project's calls may not go to (portal.dialling), where it is saved:
every service that stores a phone number calls may be sent to asks here first, and each refusal
is kept in the change history (who tried to send calls where)."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db.models import Model

from portal import audit
from portal.dialling import place
from portal.models import Project, dial_policy

# Admin forms check a write, then save it through the same service, which checks again: one
# refusal is noted once, not twice.
_NOTED_SECONDS = 10
_noted: dict[tuple, float] = {}
_noted_lock = threading.Lock()


def destination_refusals(*, project_id: int | None, numbers: Mapping[str, str]) -> dict[str, str]:
    """{field: why} for each E.164 number of `numbers` (field → number) that the project's
    calls may not be sent to; each refusal is kept in the change history."""
    wanted = {field: number for field, number in numbers.items() if number}
    if not wanted or project_id is None:
        return {}
    policy = dial_policy(project_id)
    refusals = {}
    for field, number in wanted.items():
        reason = policy.refusal(number)
        if reason is not None:
            refusals[field] = reason
            _note(project_id, field, number)
    return refusals


def check_dialled_fields(obj: Model, project_id: int | None) -> None:
    """ValidationError, by field, for each number of `obj.dialled_fields` (the fields a call may
    be sent to) that its project's calls may not go to."""
    numbers = {name: getattr(obj, name) or "" for name in getattr(obj, "dialled_fields", ())}
    refusals = destination_refusals(project_id=project_id, numbers=numbers)
    if refusals:
        raise ValidationError(refusals)


def _note(project_id: int, field: str, number: str) -> None:
    key = (project_id, field, number, threading.get_ident())
    now = time.monotonic()
    with _noted_lock:
        for old in [k for k, at in _noted.items() if now - at > _NOTED_SECONDS]:
            del _noted[old]
        if key in _noted:
            return
        _noted[key] = now
    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        return
    placed = place(number)
    audit.log_event(
        project,
        event="refused_destination",
        details={"number": number, "country": placed.country or "?", "kind": placed.kinds[0]},
        project_id=project_id,
    )
