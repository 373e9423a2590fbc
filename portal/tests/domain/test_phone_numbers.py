"""Numbers are stored once in E.164 whatever form they are typed in."""

import pytest
from django.core.exceptions import ValidationError

from portal.models import VirtualNumber
from portal.phone import InvalidPhoneNumber, normalize_number, stringee_digits


@pytest.mark.parametrize(
    "typed", ["84901234567", "+84 90 123 4567", "0901234567", "+84-90-123-4567", "0084901234567"]
)
def test_every_typed_form_of_a_vietnamese_number_normalises_to_e164(typed):
    assert normalize_number(typed) == "+84901234567"


def test_stringee_wire_form_drops_the_plus():
    assert stringee_digits("+84901234567") == "84901234567"


@pytest.mark.parametrize("bad", ["", "12", "hello", "+84 12"])
def test_invalid_numbers_are_refused_with_a_reason(bad):
    with pytest.raises(InvalidPhoneNumber):
        normalize_number(bad)


@pytest.mark.django_db
def test_three_typed_forms_are_one_stored_number():
    VirtualNumber.objects.create(number="0901234567")
    assert VirtualNumber.objects.get(number="84901234567").number == "+84901234567"
    assert VirtualNumber.objects.filter(number="+84 90 123 4567").count() == 1
    duplicate = VirtualNumber(number="84901234567")
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "number" in error.value.message_dict


@pytest.mark.django_db
def test_model_validation_names_the_invalid_number():
    with pytest.raises(ValidationError) as error:
        VirtualNumber(number="12345").full_clean()
    assert "not a valid phone number" in error.value.message_dict["number"][0]


@pytest.mark.django_db
def test_admin_add_form_rejects_an_invalid_number(admin_client):
    response = admin_client.post(
        "/admin/portal/virtualnumber/add/", {"number": "0123", "label": "x"}
    )
    assert response.status_code == 200
    assert "is not a valid phone number" in response.content.decode()
    assert not VirtualNumber.objects.exists()


@pytest.mark.django_db
def test_admin_add_form_stores_the_normalised_number(admin_client):
    response = admin_client.post(
        "/admin/portal/virtualnumber/add/", {"number": "+84 90 123 4567", "label": "x"}
    )
    assert response.status_code == 302
    assert VirtualNumber.objects.get().number == "+84901234567"
