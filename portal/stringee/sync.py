"""Reading the account's numbers from Stringee into the inventory (`manage.py stringee_sync`, the
worker's periodic job).

Every number Stringee lists is added (as available) or brought up to date: its Stringee id,
whether it takes calls and SMS, its carrier, monthly price and Stringee project, and the URLs
Stringee sends its calls to. A number whose URLs differ from the portal's wish is marked
"different on Stringee" (staff fix it with one click, which sends it again); a number of the
inventory Stringee no longer lists is marked missing, never deleted. Rows change only when
something changed, so a second run in a row writes nothing.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from portal.models import StringeeState, StringeeSync, VirtualNumber
from portal.stringee.client import StringeeClient
from portal.stringee.errors import StringeeError
from portal.stringee.numbers import StringeeNumber, numbers_list
from portal.stringee.push import differs_on_stringee, wanted_on_stringee

logger = logging.getLogger(__name__)

# States a sync may judge: a number waiting to be sent (or whose sending failed) keeps its state
# until it is sent.
JUDGED = (StringeeState.NOT_SENT, StringeeState.IN_SYNC, StringeeState.DIFFERS)
BATCH = 500


def numbers_sync(*, client: StringeeClient | None = None) -> StringeeSync:
    """Read every number of the account into the inventory; StringeeError if Stringee could not
    be read (the inventory is then left as it was)."""
    record = StringeeSync.objects.create()
    try:
        if client is None:
            with StringeeClient() as own_client:
                remote = list(numbers_list(own_client))
        else:
            remote = list(numbers_list(client))
    except StringeeError as exc:
        StringeeSync.objects.filter(pk=record.pk).update(
            finished_at=timezone.now(), error=exc.stored
        )
        raise
    with transaction.atomic():
        _apply(record, remote)
    record.ok = True
    record.finished_at = timezone.now()
    record.save()
    logger.info(
        "stringee sync: %d numbers, %d added, %d missing, %d different",
        record.numbers_seen,
        record.numbers_added,
        record.numbers_gone,
        record.numbers_differing,
    )
    return record


def _apply(record: StringeeSync, remote: list[StringeeNumber]) -> None:
    now = timezone.now()
    inventory = list(VirtualNumber.objects.select_related("project"))
    by_id = {n.stringee_id: n for n in inventory if n.stringee_id is not None}
    by_number = {n.number: n for n in inventory}
    seen: set[int] = set()
    added: list[VirtualNumber] = []
    added_numbers: set[str] = set()
    for theirs in {row.id: row for row in remote}.values():
        ours = by_id.get(theirs.id) or by_number.get(theirs.number)
        if ours is None:
            if theirs.number in added_numbers:
                continue  # Stringee listed one phone number under two ids: keep the first
            fresh = VirtualNumber(number=theirs.number, status=VirtualNumber.Status.AVAILABLE)
            for field, value in _read(fresh, theirs, now).items():
                setattr(fresh, field, value)
            added.append(fresh)
            added_numbers.add(theirs.number)
            continue
        seen.add(ours.pk)
        changes = {
            field: value
            for field, value in _read(ours, theirs, now).items()
            if getattr(ours, field) != value
        }
        if changes:
            VirtualNumber.objects.filter(pk=ours.pk).update(**changes)
        record.numbers_differing += changes.get("stringee_state", ours.stringee_state) == (
            StringeeState.DIFFERS
        )
    VirtualNumber.objects.bulk_create(added, batch_size=BATCH)
    missing = [n.pk for n in inventory if n.pk not in seen and n.gone_from_stringee_at is None]
    for start in range(0, len(missing), BATCH):
        VirtualNumber.objects.filter(pk__in=missing[start : start + BATCH]).update(
            gone_from_stringee_at=now
        )
    record.numbers_seen = len(remote)
    record.numbers_added = len(added)
    record.numbers_gone = len(missing)
    record.numbers_differing += sum(n.stringee_state == StringeeState.DIFFERS for n in added)


def _read(ours: VirtualNumber, theirs: StringeeNumber, now) -> dict:
    """The number's fields as Stringee's listing says they are."""
    fields = {
        "stringee_id": theirs.id,
        "voice_enabled": theirs.voice_enabled,
        "sms_enabled": theirs.sms_enabled,
        "carrier": theirs.carrier,
        "monthly_price": theirs.monthly_price,
        "stringee_project": theirs.project_id,
        "stringee_answer_url": theirs.answer_url,
        "stringee_event_url": theirs.event_url,
        "gone_from_stringee_at": None,
    }
    if ours.stringee_state in JUDGED:
        differs = differs_on_stringee(
            wanted_on_stringee(ours), theirs.project_id, theirs.answer_url, theirs.event_url
        )
        fields["stringee_state"] = StringeeState.DIFFERS if differs else StringeeState.IN_SYNC
    return fields
