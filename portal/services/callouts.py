"""Outbound calls asked by staff (the admin's "Call…" buttons) and programs (the API), the web's
side: check who may be called, keep the wish in a Callout row, queue the worker's job once it
commits, and wait a few seconds (STRINGEE_CALLOUT_WAIT) for Stringee's answer. Nothing here
speaks to Stringee (portal.stringee.callout does, on the worker)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.dialling import external_call_counted
from portal.errors import DomainError
from portal.models import (
    Callout,
    CalloutState,
    PartyKind,
    Project,
    ProjectCreation,
    VirtualNumber,
)
from portal.phone import normalize_or_none
from portal.selectors import active_app_user
from portal.services.dialling import destination_refusals
from portal.stringee.client import is_connected
from portal.stringee.tasks import place_callout


class StringeeNotConnected(DomainError):
    """No Stringee account is connected: no call can be placed."""

    status = 409
    code = "stringee_not_connected"

    def __init__(self) -> None:
        super().__init__(
            _(
                "No Stringee account is connected to the portal, so it cannot place calls. "
                "The portal's administrators connect one with STRINGEE_ACCOUNT_SID and "
                "STRINGEE_ACCOUNT_KEY (docs/stringee.md)."
            )
        )


class CeilingReached(DomainError):
    """The project's hourly ceiling of calls to phone numbers was reached."""

    status = 429
    code = "ceiling_reached"


class CalloutFailed(DomainError):
    """Stringee refused or failed to place the call (the reason in words)."""

    status = 502
    code = "callout_failed"


@dataclass(frozen=True)
class Party:
    """Someone a call goes to: a phone number (E.164) or an app user's userId."""

    kind: str
    address: str


def callout_party(*, project: Project, value: str, field: str) -> Party:
    """A phone number in any form, else an active app user of `project`; else a field error
    (another tenant's app user is not one of this project's: the same error)."""
    value = str(value or "").strip()
    number = normalize_or_none(value)
    if number:
        return Party(PartyKind.PHONE, number)
    if value and active_app_user(project=project, user_id=value) is not None:
        return Party(PartyKind.USER, value)
    raise ValidationError(
        {
            field: _(
                "“%(value)s” is neither a phone number nor an active app user of this project."
            )
            % {"value": value}
        }
    )


def own_number(*, project: Project, value: str) -> str:
    """`value` as one of the project's assigned numbers (E.164); else a field error."""
    number = normalize_or_none(str(value or "").strip())
    if (
        number is None
        or not VirtualNumber.objects.filter(
            project=project, number=number, status=VirtualNumber.Status.ASSIGNED
        ).exists()
    ):
        raise ValidationError({"from": _("Not one of this project's numbers.")})
    return number


def callout_place(
    *,
    project: Project,
    from_number: str,
    to: str,
    connect_to: str = "",
    custom: str = "",
    by: AbstractBaseUser | None = None,
    by_label: str = "",
) -> Callout:
    """Ask that `project` calls `to` from its number `from_number` (once answered: connected to
    `connect_to`, or routed by the project's answer_url); the row, waiting for the worker.

    Refused before anything is kept: no Stringee account (StringeeNotConnected), a number that is
    not the project's or a callee that is not a phone number or the project's app user
    (ValidationError), a phone number the project's calls may not go to (ValidationError, the
    words of portal.dialling), past the hourly ceiling of calls to phone numbers
    (CeilingReached)."""
    if not is_connected():
        raise StringeeNotConnected()
    own = own_number(project=project, value=from_number)
    callee = callout_party(project=project, value=to, field="to")
    then = (
        callout_party(project=project, value=connect_to, field="connect_to") if connect_to else None
    )
    phones = {
        field: party.address
        for field, party in (("to", callee), ("connect_to", then))
        if party is not None and party.kind == PartyKind.PHONE
    }
    refusals = destination_refusals(project_id=project.pk, numbers=phones)
    if refusals:
        raise ValidationError(refusals)
    for _phone in phones:
        if not external_call_counted(project.pk, project.external_calls_per_hour):
            raise CeilingReached(
                _(
                    "The project's ceiling of %(ceiling)s calls to phone numbers an hour was "
                    "reached: try again later, or ask a superuser to raise it."
                )
                % {"ceiling": project.external_calls_per_hour}
            )
    with transaction.atomic():
        callout = Callout.objects.create(
            project=project,
            from_number=own,
            to_kind=callee.kind,
            to_address=callee.address,
            connect_kind=then.kind if then else "",
            connect_address=then.address if then else "",
            custom=custom,
            requested_by=(by_label or str(by or ""))[:200],
            requested_by_user=by if by is not None and by.pk else None,  # type: ignore[misc]
        )
        transaction.on_commit(partial(place_callout.enqueue, callout.pk))
    return callout


Row = TypeVar("Row", Callout, ProjectCreation)


def row_settled(row: Row, *, seconds: float | None = None) -> Row:
    """`row` read again until its `state` leaves "pending" or `seconds` (STRINGEE_CALLOUT_WAIT)
    have passed: the web's short wait for the worker's answer."""
    wait = settings.STRINGEE_CALLOUT_WAIT if seconds is None else seconds
    deadline = time.monotonic() + max(0.0, wait)
    while True:
        row.refresh_from_db(fields=["state"])
        if row.state != CalloutState.PENDING or time.monotonic() >= deadline:
            row.refresh_from_db()
            return row
        time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))


def callout_settled(*, callout: Callout, seconds: float | None = None) -> Callout:
    """The callout once the worker placed or failed it, or still waiting after the wait."""
    return row_settled(callout, seconds=seconds)
