"""Phone numbers in one canonical form: E.164 (`+84901234567`), read with `phonenumbers`.

Stringee sends digits with the country code and no plus (`84901234567`); people type
`+84 90 123 4567` or the national `0901234567`. All of them normalise to one stored value,
and `stringee_digits` turns it back into what Stringee expects in an SCCO.
"""

import re
from functools import lru_cache

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language

_SEPARATORS = re.compile(r"[\s().\-/]")


class InvalidPhoneNumber(ValueError):
    """The text is not a valid phone number."""


def normalize_number(raw: str, region: str | None = None) -> str:
    """Return `raw` as E.164, or raise InvalidPhoneNumber with a readable reason."""
    text = _SEPARATORS.sub("", str(raw or ""))
    if not text:
        raise InvalidPhoneNumber("Enter a phone number.")
    if text.startswith("00"):
        text = "+" + text[2:]
    elif text.isdigit() and not text.startswith("0"):
        text = "+" + text  # Stringee's form: country code without the plus
    try:
        parsed = phonenumbers.parse(text, region or settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneNumber(f"“{raw}” is not a phone number ({exc}).") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidPhoneNumber(f"“{raw}” is not a valid phone number.")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def normalize_or_none(raw: str) -> str | None:
    """E.164 form of `raw`, or None when it is not a phone number (e.g. an app user id)."""
    return _normalized_or_none(str(raw or ""), settings.PHONE_DEFAULT_REGION)


@lru_cache(maxsize=20_000)
def _normalized_or_none(raw: str, region: str) -> str | None:
    # Every call routed parses its `from` and `to`; callers and numbers repeat, parsing is slow.
    try:
        return normalize_number(raw, region)
    except InvalidPhoneNumber:
        return None


def number_lookup(text: str, *fields: str) -> Q | None:
    """A filter finding the number `text` (any typed form: 0901…, +84 90…, 84901…) in any of
    `fields`; None when `text` is not a phone number. Every "search by number" uses this."""
    e164 = normalize_or_none(text)
    if e164 is None:
        return None
    query = Q()
    for name in fields:
        query |= Q(**{name: e164})
    return query


def stringee_digits(e164: str) -> str:
    """The form Stringee uses on the wire: country code and digits, no plus."""
    return e164.lstrip("+")


class E164Field(models.CharField):
    """A CharField that validates and stores phone numbers as E.164.

    Exact lookups are normalised too, so `filter(number="0901234567")` finds `+84901234567`.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        try:
            return normalize_number(value)
        except InvalidPhoneNumber as exc:
            raise ValidationError(str(exc), code="invalid_phone_number") from exc

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in self.empty_values:
            return value
        return normalize_or_none(value) or value


def phone_display(value: str | None) -> str:
    """How staff read a stored number: the national form (`0901 234 567`) for a number of the
    portal's region while Vietnamese is active, E.164 otherwise; anything else as it is."""
    text = str(value or "")
    if get_language() != "vi":
        return text
    e164 = normalize_or_none(text)
    if e164 is None:
        return text
    parsed = phonenumbers.parse(e164, None)
    if phonenumbers.region_code_for_number(parsed) != settings.PHONE_DEFAULT_REGION:
        return text
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
