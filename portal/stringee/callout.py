"""Outbound calls through Stringee (`POST /v1/call2/callout`, contract §5), the worker's side.

A callout row (portal.models.Callout) holds the wish; `callout_send` claims it, asks Stringee
once with the project's REST token, and keeps the outcome on the row. A callout is never sent
twice: a retry after a lost answer could ring the person twice, so a worker that stopped while
asking leaves the callout failed ("interrupted"), and one that never started it leaves it to the
upkeep (`callouts_recover`), which sends it again while it is young and gives up after
CALLOUT_EXPIRY_SECONDS (a call placed minutes late is wrong).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db.models import F
from django.utils import timezone

from portal.models import Callout, CalloutState, PartyKind
from portal.phone import stringee_digits
from portal.stringee.client import StringeeClient, is_connected
from portal.stringee.errors import StringeeError
from portal.stringee.tokens import project_token

logger = logging.getLogger(__name__)

# A callout not placed this long after it was asked is not placed at all.
CALLOUT_EXPIRY_SECONDS = 120
# A waiting callout no worker has claimed after this long lost its job: it is queued again.
CALLOUT_LOST_SECONDS = 15
# A callout claimed by a worker and unfinished after this long was interrupted.
CALLOUT_SENDING_SECONDS = 60


def endpoint(kind: str, address: str, alias: str | None = None) -> dict[str, str]:
    """Stringee's endpoint object: a phone number (digits, no +) or an app user's userId."""
    if kind == PartyKind.PHONE:
        digits = stringee_digits(address)
        return {"type": "external", "number": digits, "alias": alias or digits}
    return {"type": "internal", "number": address, "alias": alias or address}


def callout_body(callout: Callout) -> dict[str, Any]:
    """What Stringee is sent: `from` (the project's number), `to` (an array of one endpoint),
    then either inline `actions` (connect the answering party to someone) or the project's own
    answer_url (its rules decide, as for any call); `custom` is passed through."""
    own = stringee_digits(callout.from_number)
    body: dict[str, Any] = {
        "from": endpoint(PartyKind.PHONE, callout.from_number),
        "to": [endpoint(callout.to_kind, callout.to_address, alias=own)],
    }
    if callout.connect_address:
        connect: dict[str, Any] = {
            "action": "connect",
            "from": endpoint(PartyKind.PHONE, callout.from_number),
            "to": endpoint(callout.connect_kind, callout.connect_address, alias=own),
        }
        if callout.custom:
            connect["customData"] = callout.custom
        body["actions"] = [connect]
    else:
        body["answer_url"] = callout.project.answer_url
    if callout.custom:
        body["custom"] = callout.custom
    return body


def callout_make(client: StringeeClient, *, body: dict[str, Any]) -> str:
    """Ask Stringee to place the call; its call id ("" when the reply has none)."""
    reply = client.request("POST", "/v1/call2/callout", json=body)
    return str(reply.get("call_id") or reply.get("callId") or "")[:100]


def callout_send(*, callout_id: int, now: datetime | None = None) -> str:
    """Claim a waiting callout and ask Stringee once; the state it ends in."""
    now = now or timezone.now()
    claimed = Callout.objects.filter(
        pk=callout_id, state=CalloutState.PENDING, sending_since__isnull=True
    ).update(sending_since=now, attempts=F("attempts") + 1)
    if not claimed:
        return "taken"  # placed, failed, or being sent by another worker
    callout = Callout.objects.select_related("project").get(pk=callout_id)
    mine = Callout.objects.filter(pk=callout_id, state=CalloutState.PENDING)
    if now - callout.created_at > timedelta(seconds=CALLOUT_EXPIRY_SECONDS):
        mine.update(state=CalloutState.FAILED, error="expired", finished_at=now)
        return CalloutState.FAILED
    project = callout.project
    try:
        if not is_connected():
            raise StringeeError("not_connected")
        with StringeeClient(token=lambda: project_token(project), attempts=1) as client:
            call_id = callout_make(client, body=callout_body(callout))
    except StringeeError as exc:
        code = "bad_project_key" if exc.code == "bad_credentials" else exc.code
        stored = f"{code}: {exc.detail}" if exc.detail else code
        logger.warning("stringee: callout %s not placed: %s", callout_id, stored)
        mine.update(state=CalloutState.FAILED, error=stored[:300], finished_at=timezone.now())
        return CalloutState.FAILED
    mine.update(state=CalloutState.PLACED, call_id=call_id, finished_at=timezone.now())
    return CalloutState.PLACED


def callouts_recover(*, now: datetime | None = None) -> list[int]:
    """The upkeep of callouts: those a worker stopped while sending are failed
    ("interrupted"), those too old to place are failed ("expired"); the ids of the young
    waiting ones whose job was lost, to be queued again."""
    now = now or timezone.now()
    waiting = Callout.objects.filter(state=CalloutState.PENDING)
    waiting.filter(sending_since__lte=now - timedelta(seconds=CALLOUT_SENDING_SECONDS)).update(
        state=CalloutState.FAILED, error="interrupted", finished_at=now
    )
    unclaimed = waiting.filter(sending_since__isnull=True)
    unclaimed.filter(created_at__lte=now - timedelta(seconds=CALLOUT_EXPIRY_SECONDS)).update(
        state=CalloutState.FAILED, error="expired", finished_at=now
    )
    return list(
        unclaimed.filter(created_at__lte=now - timedelta(seconds=CALLOUT_LOST_SECONDS))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
