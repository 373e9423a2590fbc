"""Reading the account's numbers from the fake Stringee into the inventory (`stringee_sync`):
all pages, the numbers' details, missing and different numbers, a second run that changes
nothing, and a clear failure on bad credentials or no answer."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.forms.models import model_to_dict
from django.utils import timezone

from portal.models import StringeeState, StringeeSync, VirtualNumber
from portal.stringee.sync import numbers_sync
from portal.stringee.tasks import SYNCS_KEPT_DAYS, stringee_upkeep
from portal.tests.factories import VirtualNumberFactory

pytestmark = pytest.mark.django_db


def inventory() -> dict[str, dict]:
    return {n.number: model_to_dict(n) for n in VirtualNumber.objects.all()}


def test_250_numbers_over_3_pages_all_land_in_the_inventory(stringee):
    for i in range(250):
        stringee.add_number(1000 + i, f"+8490{i:07d}")
    out = StringIO()
    call_command("stringee_sync", stdout=out)
    pages = [(r.query["page"], r.query["limit"]) for r in stringee.seen]
    assert pages == [("1", "100"), ("2", "100"), ("3", "100")]
    assert VirtualNumber.objects.count() == 250
    assert VirtualNumber.objects.filter(status="available", project=None).count() == 250
    assert "250 numbers on Stringee: 250 added" in out.getvalue()


def test_a_numbers_details_come_from_stringee(stringee):
    stringee.add_number(
        487,
        "+84901234567",
        voice_enabled=1,
        sms_enabled=0,
        monthly_price=12.5,
        telco_name="Mobifone",
        project_id=42,
    )
    numbers_sync()
    number = VirtualNumber.objects.get(number="+84901234567")
    assert number.stringee_id == 487
    assert (number.voice_enabled, number.sms_enabled) == (True, False)
    assert number.carrier == "Mobifone"
    assert number.monthly_price == Decimal("12.50")
    assert number.stringee_project == 42
    assert number.stringee_state == StringeeState.IN_SYNC  # no URLs, and no project holds it


def test_a_second_run_changes_nothing(stringee, tenant_a):
    stringee.add_number(487, "+84901234567")
    stringee.add_number(
        488,
        "+84901234568",
        project_id=tenant_a.stringee_project_id,
        answer_url="https://elsewhere.example.com/answer",
    )
    VirtualNumberFactory(number="+84901234568", project=tenant_a)
    VirtualNumberFactory(number="+84909999999", project=None, status="available")
    numbers_sync()
    before = inventory()
    second = numbers_sync()
    assert inventory() == before
    assert second.numbers_added == 0
    assert stringee.puts() == []


def test_a_number_gone_from_stringee_is_marked_never_deleted(stringee, tenant_a):
    stringee.add_number(487, "+84901234567")
    VirtualNumberFactory(number="+84901234567", project=tenant_a)
    numbers_sync()
    del stringee.numbers[487]
    record = numbers_sync()
    number = VirtualNumber.objects.get(number="+84901234567")
    assert number.gone_from_stringee_at is not None
    assert number.project == tenant_a
    assert record.numbers_gone == 1
    stringee.add_number(487, "+84901234567")
    numbers_sync()
    number.refresh_from_db()
    assert number.gone_from_stringee_at is None


def test_urls_on_stringee_that_differ_from_the_portals_are_shown_as_different(stringee, tenant_a):
    VirtualNumberFactory(number="+84901234567", project=tenant_a)
    VirtualNumberFactory(number="+84901234568", project=tenant_a)
    stringee.add_number(
        487,
        "+84901234567",
        project_id=tenant_a.stringee_project_id,
        answer_url=tenant_a.answer_url,
        event_url=tenant_a.event_url,
    )
    stringee.add_number(
        488,
        "+84901234568",
        project_id=tenant_a.stringee_project_id,
        answer_url="https://old.example.com/answer_url/",
        event_url=tenant_a.event_url,
    )
    record = numbers_sync()
    states = dict(VirtualNumber.objects.values_list("number", "stringee_state"))
    assert states == {"+84901234567": StringeeState.IN_SYNC, "+84901234568": StringeeState.DIFFERS}
    assert record.numbers_differing == 1


def test_a_number_waiting_to_be_sent_keeps_its_state(stringee, tenant_a):
    VirtualNumberFactory(
        number="+84901234567", project=tenant_a, stringee_state=StringeeState.PENDING
    )
    stringee.add_number(487, "+84901234567", answer_url="https://old.example.com/")
    numbers_sync()
    assert VirtualNumber.objects.get().stringee_state == StringeeState.PENDING


def test_bad_credentials_exit_non_zero_with_one_line_and_change_nothing(stringee, settings):
    stringee.add_number(487, "+84901234567")
    settings.STRINGEE_ACCOUNT_KEY = "not-the-account-key-0123456789abcdef"
    with pytest.raises(CommandError) as caught:
        call_command("stringee_sync")
    assert "bad credentials" in str(caught.value)
    assert "\n" not in str(caught.value)
    assert VirtualNumber.objects.count() == 0
    assert StringeeSync.objects.get().error == "bad_credentials"


def test_no_answer_exits_non_zero(stringee, settings):
    stringee.fail_with = [503] * 3
    with pytest.raises(CommandError, match="Stringee"):
        call_command("stringee_sync")
    assert len(stringee.seen) == 3


def test_without_an_account_the_command_says_how_to_connect(settings):
    settings.STRINGEE_ACCOUNT_SID = ""
    with pytest.raises(CommandError, match="STRINGEE_ACCOUNT_SID"):
        call_command("stringee_sync")


def test_the_upkeep_forgets_readings_older_than_a_month_and_keeps_the_last(stringee):
    old = StringeeSync.objects.create()
    StringeeSync.objects.filter(pk=old.pk).update(
        started_at=timezone.now() - timedelta(days=SYNCS_KEPT_DAYS + 1)
    )
    recent = StringeeSync.objects.create()
    stringee_upkeep.call()
    kept = set(StringeeSync.objects.values_list("pk", flat=True))
    assert old.pk not in kept and recent.pk in kept and len(kept) == 2  # and this reading
