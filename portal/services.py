"""Every write of the tenancy domain: the number inventory (assign, release, recycle) and app users.

Each inventory change is one conditional UPDATE, so two concurrent claims of a number cannot
both win (the database re-checks the WHERE clause under its row lock). The admin, the API and
the management commands all write through these functions.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.errors import DomainError
from portal.models import AppUser, Project, VirtualNumber
from portal.phone import normalize_number
from portal.tenancy import notify_changed

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
    current = VirtualNumber.objects.filter(number=e164).select_related("project").first()
    if current is None:
        raise NumberUnavailable(_("%(number)s is not in the number inventory.") % {"number": e164})
    if not claimed and current.project_id != project.pk:
        raise NumberUnavailable(_why_unavailable(current))
    if claimed:
        notify_changed(project.pk)
    return current, bool(claimed)


def _why_unavailable(number: VirtualNumber) -> str:
    if number.status == Status.ASSIGNED:
        return f"{number.number} is already assigned to another project."
    until = timezone.localtime(number.quarantined_until).strftime("%Y-%m-%d %H:%M")
    return f"{number.number} was released recently and is quarantined until {until}."


def number_release(*, number: VirtualNumber, days: int | None = None) -> VirtualNumber:
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


def numbers_recycle(*, now=None) -> int:
    """Put numbers whose quarantine is over back into the inventory; return how many."""
    now = now or timezone.now()
    return VirtualNumber.objects.filter(
        status=Status.QUARANTINED, quarantined_until__lte=now
    ).update(status=Status.AVAILABLE, quarantined_until=None)


def app_user_save(*, user: AppUser) -> AppUser:
    """Create or change an app user; its userId must be new in the project."""
    taken = AppUser.objects.filter(project_id=user.project_id, user_id=user.user_id).exclude(
        pk=user.pk
    )
    if taken.exists():
        raise ValidationError(
            {"user_id": [f"An app user “{user.user_id}” already exists in this project."]}
        )
    try:
        with transaction.atomic():
            user.save()
    except (
        IntegrityError
    ) as exc:  # a concurrent creation won the race the check above could not see
        raise ValidationError(
            {"user_id": [f"An app user “{user.user_id}” already exists in this project."]}
        ) from exc
    return user
