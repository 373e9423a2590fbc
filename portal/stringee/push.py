"""Making Stringee send a number's calls where the portal says (the worker's side).

What a number should be on Stringee follows from the inventory alone: assigned, it sits in its
project's Stringee project with that project's answer_url and event_url; not assigned, it keeps
its Stringee project and has no URLs (Stringee has no "no project"; docs/stringee.md). A push
reads the number when it runs, so it always sends the latest wish; it marks the number in sync
only if nobody asked again meanwhile (`stringee_request` unchanged).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from portal.models import StringeeState, VirtualNumber
from portal.stringee.client import StringeeClient
from portal.stringee.errors import StringeeError
from portal.stringee.numbers import number_update

logger = logging.getLogger(__name__)

# A number waiting this long was lost with its worker: the periodic job sends it.
PENDING_LOST_SECONDS = 300


@dataclass(frozen=True)
class WantedOnStringee:
    """Where Stringee should send a number's calls (project_id None: leave its project)."""

    project_id: int | None
    answer_url: str
    event_url: str


def wanted_on_stringee(number: VirtualNumber) -> WantedOnStringee:
    if number.status == VirtualNumber.Status.ASSIGNED and number.project is not None:
        project = number.project
        return WantedOnStringee(project.stringee_project_id, project.answer_url, project.event_url)
    return WantedOnStringee(None, "", "")


def differs_on_stringee(
    wanted: WantedOnStringee, project_id: int | None, answer_url: str, event_url: str
) -> bool:
    """Whether Stringee's settings of a number differ from what the portal wants."""
    if wanted.project_id is not None and project_id != wanted.project_id:
        return True
    return (answer_url, event_url) != (wanted.answer_url, wanted.event_url)


# Failures that every other number would meet too: a round of retries stops at the first.
ACCOUNT_WIDE = frozenset({"not_connected", "bad_credentials", "busy", "fault", "no_answer"})


def number_push(*, number_id: int, client: StringeeClient | None = None) -> str:
    """Send one number's wanted settings to Stringee; return "" when Stringee took them, else the
    failure's code."""
    number = VirtualNumber.objects.select_related("project").filter(pk=number_id).first()
    if number is None:
        return ""
    asked = number.stringee_request
    same_request = VirtualNumber.objects.filter(pk=number_id, stringee_request=asked)
    wanted = wanted_on_stringee(number)
    try:
        if number.stringee_id is None:
            raise StringeeError("not_on_stringee")
        if client is None:
            with StringeeClient() as own_client:
                _send(own_client, number.stringee_id, wanted)
        else:
            _send(client, number.stringee_id, wanted)
    except StringeeError as exc:
        logger.warning("stringee: number %s not sent: %s", number_id, exc.stored)
        same_request.update(stringee_state=StringeeState.FAILED, stringee_error=exc.stored)
        return exc.code
    sent = {
        "stringee_state": StringeeState.IN_SYNC,
        "stringee_error": "",
        "stringee_sent_at": timezone.now(),
        "stringee_answer_url": wanted.answer_url,
        "stringee_event_url": wanted.event_url,
    }
    if wanted.project_id is not None:
        sent["stringee_project"] = wanted.project_id
    same_request.update(**sent)
    return ""


def _send(client: StringeeClient, stringee_id: int, wanted: WantedOnStringee) -> None:
    number_update(
        client,
        stringee_id=stringee_id,
        project_id=wanted.project_id,
        answer_url=wanted.answer_url,
        event_url=wanted.event_url,
    )


def numbers_push_due(*, client: StringeeClient, now: datetime | None = None) -> int:
    """Send again every failed number, and every number waiting longer than
    PENDING_LOST_SECONDS (its job was lost with a stopped worker). Returns how many Stringee
    took; stops at the first failure that concerns the whole account (bad credentials, busy…)."""
    now = now or timezone.now()
    lost = now - timedelta(seconds=PENDING_LOST_SECONDS)
    due = VirtualNumber.objects.filter(stringee_state=StringeeState.FAILED) | (
        VirtualNumber.objects.filter(
            stringee_state=StringeeState.PENDING, stringee_asked_at__lte=lost
        )
    )
    sent = 0
    for number_id in list(due.values_list("pk", flat=True).order_by("pk")):
        failure = number_push(number_id=number_id, client=client)
        if failure in ACCOUNT_WIDE:
            break
        sent += 0 if failure else 1
    return sent
