"""Staff reading Vietnamese see Vietnamese numbers in the national form they type; the stored and
sent form stays E.164 / Stringee digits."""

import pytest
from django.utils import translation

from portal.models import VirtualNumber
from portal.phone import phone_display, stringee_digits
from portal.tests.factories import VirtualNumberFactory


def test_vietnamese_number_is_shown_nationally_in_vietnamese_and_as_e164_in_english():
    with translation.override("vi"):
        assert phone_display("+84901234567") == "0901 234 567"
        assert phone_display("+14155550100") == "+14155550100"  # foreign: international
        assert phone_display("user_1") == "user_1"  # an app user id is left alone
    with translation.override("en"):
        assert phone_display("+84901234567") == "+84901234567"


@pytest.mark.django_db
def test_a_virtual_number_reads_nationally_but_is_stored_and_sent_as_before():
    number = VirtualNumberFactory(number="0901234567")
    with translation.override("vi"):
        assert str(number) == "0901 234 567"
    stored = VirtualNumber.objects.values_list("number", flat=True).get(pk=number.pk)
    assert stored == "+84901234567"
    assert stringee_digits(stored) == "84901234567"
