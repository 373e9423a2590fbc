"""The number inventory: assign (purchase), release into quarantine, recycle.

Each change is one conditional UPDATE, so two concurrent claims of a number cannot both win
(the database re-checks the WHERE clause under its row lock).
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from portal.models import Project, VirtualNumber
from portal.phone import normalize_number
from portal.tenancy import notify_changed

Status = VirtualNumber.Status


class NumberUnavailable(Exception):
    """The number cannot be assigned (held by another project, or quarantined)."""


def claimable(now=None) -> Q:
    """Numbers that may be assigned now: in stock, or out of an expired quarantine."""
    now = now or timezone.now()
    return Q(status=Status.AVAILABLE) | Q(status=Status.QUARANTINED, quarantined_until__lte=now)


def assign_number(number: str, project: Project) -> VirtualNumber:
    """Give `number` to `project`; raise NumberUnavailable with the reason if it is taken."""
    e164 = normalize_number(number)
    now = timezone.now()
    claimed = VirtualNumber.objects.filter(claimable(now), number=e164).update(
        project=project, status=Status.ASSIGNED, assigned_at=now, released_at=None, quarantined_until=None
    )
    current = VirtualNumber.objects.filter(number=e164).select_related("project").first()
    if current is None:
        raise NumberUnavailable(f"{e164} is not in the number inventory.")
    if not claimed and current.project_id != project.pk:
        raise NumberUnavailable(_why_unavailable(current))
    notify_changed(project.pk)
    return current


def _why_unavailable(number: VirtualNumber) -> str:
    if number.status == Status.ASSIGNED:
        return f"{number.number} is already assigned to another project."
    until = timezone.localtime(number.quarantined_until).strftime("%Y-%m-%d %H:%M")
    return f"{number.number} was released recently and is quarantined until {until}."


def release_number(number: VirtualNumber, days: int | None = None) -> VirtualNumber:
    """Take `number` from its project; it cannot be reassigned for `days` days."""
    days = settings.NUMBER_QUARANTINE_DAYS if days is None else days
    now = timezone.now()
    project_id = number.project_id
    VirtualNumber.objects.filter(pk=number.pk, status=Status.ASSIGNED).update(
        project=None,
        status=Status.QUARANTINED,
        released_at=now,
        quarantined_until=now + timedelta(days=days),
    )
    notify_changed(project_id)
    number.refresh_from_db()
    return number


def recycle_quarantined(now=None) -> int:
    """Put numbers whose quarantine is over back into the inventory; return how many."""
    now = now or timezone.now()
    return VirtualNumber.objects.filter(status=Status.QUARANTINED, quarantined_until__lte=now).update(
        status=Status.AVAILABLE, quarantined_until=None
    )
