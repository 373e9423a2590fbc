"""Open and close masking sessions: pick a free proxy number from the pool, bind both participants.

The database decides: a partial unique index allows one active binding per (proxy number,
participant). Creating a session closes the project's expired sessions, picks a pool number
neither participant is bound on, and inserts the session and both bindings in one
transaction; if a concurrent creation took that number first, the insert fails and the next
free number is tried. An empty choice is `PoolExhausted` (HTTP 409).
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.errors import DomainError
from portal.models import Project, VirtualNumber
from portal.phone import normalize_or_none
from portal.selectors import active_app_user
from portal.services.dialling import destination_refusals
from routing.kinds import PartyKind
from routing.models import MaskingBinding, MaskingPoolNumber, MaskingSession

DEFAULT_TTL_SECONDS = 3600


class PoolExhausted(DomainError):
    """Every pool number is already bound to one of the participants (or the pool is empty)."""

    status = 409
    code = "masking_pool_exhausted"


class BadParticipant(ValidationError):
    """A participant is neither a phone number nor an active app user of the project."""

    def __init__(self, message: str):
        super().__init__({"participant": [message]})


@dataclass(frozen=True)
class Participant:
    kind: PartyKind
    address: str  # E.164 or user id


def participant(project: Project, value: str) -> Participant:
    """Read a participant: a phone number in any form, else an active app user id of `project`."""
    value = str(value or "").strip()
    number = normalize_or_none(value)
    if number:
        return Participant(PartyKind.PHONE, number)
    if value and active_app_user(project=project, user_id=value) is not None:
        return Participant(PartyKind.USER, value)
    raise BadParticipant(
        f"“{value}” is neither a phone number nor an active app user of this project."
    )


def close_expired(project_id: int, now: datetime | None = None) -> int:
    """Close the project's sessions whose time is up (freeing their bindings); returns how many."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(
            MaskingSession.objects.filter(
                project_id=project_id, closed_at__isnull=True, expires_at__lte=now
            ).values_list("id", flat=True)
        )
        MaskingBinding.objects.filter(session_id__in=ids, active=True).update(active=False)
        return MaskingSession.objects.filter(id__in=ids).update(closed_at=now)


def masking_session_close(
    *, session: MaskingSession, now: datetime | None = None
) -> MaskingSession:
    """End the session now: both participants are free to be bound on its number again."""
    with transaction.atomic():
        MaskingBinding.objects.filter(session=session, active=True).update(active=False)
        if session.closed_at is None:
            session.closed_at = now or timezone.now()
            session.save(update_fields=["closed_at"])
    return session


def _pool(project: Project) -> list[int]:
    return list(
        MaskingPoolNumber.objects.filter(
            project=project, number__project=project, number__status=VirtualNumber.Status.ASSIGNED
        ).values_list("number_id", flat=True)
    )


def _bound(pool: list[int], a: Participant, b: Participant) -> set[int]:
    either = Q(kind=a.kind, address=a.address) | Q(kind=b.kind, address=b.address)
    rows = MaskingBinding.objects.filter(either, active=True, proxy_id__in=pool)
    return set(rows.values_list("proxy_id", flat=True))


def _insert(
    project: Project, proxy_id: int, a: Participant, b: Participant, expires_at, reference
) -> MaskingSession:
    with transaction.atomic():
        session = MaskingSession.objects.create(
            project=project,
            proxy_id=proxy_id,
            a_kind=a.kind,
            a_address=a.address,
            b_kind=b.kind,
            b_address=b.address,
            expires_at=expires_at,
            reference=reference,
        )
        MaskingBinding.objects.bulk_create(
            [
                MaskingBinding(
                    session=session,
                    proxy_id=proxy_id,
                    kind=one.kind,
                    address=one.address,
                    peer_kind=other.kind,
                    peer_address=other.address,
                )
                for one, other in ((a, b), (b, a))
            ]
        )
    return session


def masking_session_create(
    *,
    project: Project,
    participant_a: str,
    participant_b: str,
    expires_at: datetime | None = None,
    ttl_seconds: int = DEFAULT_TTL_SECONDS,
    reference: str = "",
) -> MaskingSession:
    """A new session on a pool number free for both participants (phone numbers in any typed
    form, or active app user ids); BadParticipant or PoolExhausted otherwise."""
    a, b = participant(project, participant_a), participant(project, participant_b)
    expires_at = expires_at or timezone.now() + timedelta(seconds=ttl_seconds)
    if a == b:
        raise BadParticipant(_("The two participants must differ."))
    phones = {
        name: one.address
        for name, one in (("participant_a", a), ("participant_b", b))
        if one.kind == PartyKind.PHONE
    }
    refusals = destination_refusals(project_id=project.pk, numbers=phones)
    if refusals:
        raise ValidationError(refusals)
    close_expired(project.pk)
    pool = _pool(project)
    # Each failed insert means a concurrent session took a number for one of these participants,
    # so the free set shrinks every round: len(pool) + 1 rounds always reach an answer.
    for _round in range(len(pool) + 1):
        free = sorted(set(pool) - _bound(pool, a, b))
        if not free:
            break
        try:
            return _insert(project, secrets.choice(free), a, b, expires_at, reference)
        except IntegrityError:
            continue
    raise PoolExhausted(
        f"No number of the masking pool ({len(pool)}) is free for both participants; "
        "close a session or add numbers to the pool."
    )
