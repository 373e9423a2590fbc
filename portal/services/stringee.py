"""Asking for Stringee to be told (the web's side): a number marked "waiting to be sent" and a job
queued once the change commits; the account's numbers read again; a project created on it.
Nothing here waits on Stringee: the background worker does the talking (portal.stringee)."""

from __future__ import annotations

from functools import partial

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from portal.models import ProjectCreation, StringeeState, VirtualNumber
from portal.stringee.client import is_connected
from portal.stringee.tasks import create_project, push_number, stringee_upkeep


def numbers_push_request(*, numbers: QuerySet[VirtualNumber]) -> int:
    """Mark `numbers` waiting to be sent to Stringee and queue one job each (after the commit);
    how many. Without a connected account nothing is asked (the numbers stay "not sent")."""
    if not is_connected():
        return 0
    with transaction.atomic():
        ids = list(numbers.values_list("pk", flat=True))
        VirtualNumber.objects.filter(pk__in=ids).update(
            stringee_state=StringeeState.PENDING,
            stringee_error="",
            stringee_asked_at=timezone.now(),
            stringee_request=F("stringee_request") + 1,
        )
        for number_id in ids:
            transaction.on_commit(partial(push_number.enqueue, number_id))
    return len(ids)


def stringee_sync_request() -> bool:
    """Queue a reading of the account's numbers now (the numbers list's button); False without
    a connected account."""
    if not is_connected():
        return False
    transaction.on_commit(stringee_upkeep.enqueue)
    return True


def project_creation_request(*, name: str, time_zone: str, by: str) -> ProjectCreation:
    """Ask that a project named `name` be created on Stringee and added to the portal (by the
    worker, once this commits); the waiting row. Without a connected account:
    StringeeNotConnected."""
    from portal.services.callouts import StringeeNotConnected

    if not is_connected():
        raise StringeeNotConnected()
    with transaction.atomic():
        creation = ProjectCreation.objects.create(
            name=name, time_zone=time_zone, requested_by=by[:200]
        )
        transaction.on_commit(partial(create_project.enqueue, creation.pk))
    return creation
