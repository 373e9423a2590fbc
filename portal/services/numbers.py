"""The number inventory: import, assign, release, recycle.

Each inventory change is one conditional UPDATE, so two concurrent claims of a number cannot
both win (the database re-checks the WHERE clause under its row lock)."""

from collections.abc import Callable
from datetime import timedelta

import tablib
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export.results import Result

from portal import audit
from portal.errors import DomainError
from portal.models import (
    Project,
    VirtualNumber,
)
from portal.phone import normalize_number
from portal.services.number_import import NumberResource
from portal.services.stringee import numbers_push_request
from portal.tenancy.policy import notify_changed

Status = VirtualNumber.Status


class NumberUnavailable(DomainError):
    """The number cannot be assigned (held by another project, or quarantined)."""

    status = 409
    code = "number_unavailable"


def claimable(now=None) -> Q:
    """Numbers that may be assigned now: in stock, or out of an expired quarantine."""
    now = now or timezone.now()
    return Q(status=Status.AVAILABLE) | Q(status=Status.QUARANTINED, quarantined_until__lte=now)


def number_assign(*, number: str, project: Project) -> tuple[VirtualNumber, bool]:
    """Give `number` (any typed form) to `project`: (the number, whether it was newly assigned).

    NumberUnavailable says why when another project holds it or it is quarantined.
    """
    e164 = normalize_number(number)
    now = timezone.now()
    claimed = VirtualNumber.objects.filter(claimable(now), number=e164).update(
        project=project,
        status=Status.ASSIGNED,
        assigned_at=now,
        released_at=None,
        quarantined_until=None,
    )
    if claimed:
        numbers_push_request(numbers=VirtualNumber.objects.filter(number=e164))
    current = VirtualNumber.objects.filter(number=e164).select_related("project").first()
    if current is None:
        raise NumberUnavailable(_("%(number)s is not in the number inventory.") % {"number": e164})
    if not claimed and current.project_id != project.pk:
        raise NumberUnavailable(_why_unavailable(current))
    if claimed:
        notify_changed(project.pk)
        audit.log_update(
            current,
            changes={"project": (None, project.pk), "status": (Status.AVAILABLE, Status.ASSIGNED)},
            project_id=project.pk,
        )
    return current, bool(claimed)


def _why_unavailable(number: VirtualNumber) -> str:
    if number.status == Status.ASSIGNED:
        return f"{number.number} is already assigned to another project."
    until = timezone.localtime(number.quarantined_until).strftime("%Y-%m-%d %H:%M")
    return f"{number.number} was released recently and is quarantined until {until}."


def number_relabel(*, number: VirtualNumber, label: str) -> VirtualNumber:
    """Give `number` a new label (staff's own name for it). Only the label is written: no routing
    table reads it, so the project's table is left as it is (VirtualNumber.routing_ignores)."""
    number.label = label
    number.save(update_fields=["label"])
    return number


def number_release(*, number: VirtualNumber, days: int | None = None) -> VirtualNumber:
    """Take `number` from its project; it cannot be reassigned for `days` days."""
    days = settings.NUMBER_QUARANTINE_DAYS if days is None else days
    now = timezone.now()
    project_id = number.project_id
    released = VirtualNumber.objects.filter(pk=number.pk, status=Status.ASSIGNED).update(
        project=None,
        status=Status.QUARANTINED,
        released_at=now,
        quarantined_until=now + timedelta(days=days),
    )
    if released:
        numbers_push_request(numbers=VirtualNumber.objects.filter(pk=number.pk))
    notify_changed(project_id)
    number.refresh_from_db()
    if released:
        # The entry stays the releasing project's: the number is no longer anyone's.
        audit.log_update(
            number,
            changes={
                "project": (project_id, None),
                "status": (Status.ASSIGNED, Status.QUARANTINED),
                "quarantined_until": (None, number.quarantined_until),
            },
            project_id=project_id,
        )
    return number


def numbers_recycle(*, now=None) -> int:
    """Put numbers whose quarantine is over back into the inventory; return how many."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            VirtualNumber.objects.select_for_update().filter(
                status=Status.QUARANTINED, quarantined_until__lte=now
            )
        )
        count = VirtualNumber.objects.filter(pk__in=[number.pk for number in due]).update(
            status=Status.AVAILABLE, quarantined_until=None
        )
        for number in due:
            audit.log_update(
                number,
                changes={
                    "status": (Status.QUARANTINED, Status.AVAILABLE),
                    "quarantined_until": (number.quarantined_until, None),
                },
                project_id=audit.last_holder(number),
            )
    return count


def numbers_import(
    *, dataset: tablib.Dataset, dry_run: bool = False, on_row: Callable[[], None] | None = None
) -> Result:
    """Add the numbers of a file to the inventory (or relabel those already in it), all or none.

    Any bad row (see `portal.services.number_import`) rolls back every row, so the inventory is
    changed
    only by a file without a single error. `dry_run` checks the file and changes nothing.
    """
    resource = NumberResource(on_row=on_row)
    return resource.import_data(
        dataset,
        dry_run=dry_run,
        raise_errors=False,
        use_transactions=True,
        rollback_on_validation_errors=True,
    )
