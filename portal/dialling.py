"""Where a project's calls may go: the countries, and within each the kinds of number (mobile,
fixed line, toll-free, premium-rate, shared-cost, other), that calls may be sent to.

A rule, an IVR key, a ring-group member, a masking party, an on-fail forward or an outbound call
can send a call to any phone number in the world, and the account that owns the Stringee numbers
pays for it: calls pumped to premium-rate or far-away numbers through a stolen password or a
leaked key (toll fraud) are the costliest attack on a telephony platform. Each project therefore
has a `DialPolicy` (by default its own country's mobile and fixed lines only), checked where a
destination is saved and again when a call is routed, so that a configuration saved before the
policy narrowed cannot still send calls there.

Kinds come from libphonenumber's metadata (`phonenumbers.number_type`); a number it cannot place
(invalid, or of no known kind) is "other".
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import phonenumbers
from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.utils.translation import get_language, gettext, gettext_lazy
from phonenumbers import PhoneNumberType, geocoder

from portal.phone import phone_display


class NumberKind(models.TextChoices):
    """The kinds of phone number a policy allows or refuses, one by one."""

    MOBILE = "mobile", gettext_lazy("mobile")
    FIXED = "fixed", gettext_lazy("fixed line")
    TOLL_FREE = "toll_free", gettext_lazy("toll-free")
    PREMIUM_RATE = "premium_rate", gettext_lazy("premium-rate")
    SHARED_COST = "shared_cost", gettext_lazy("shared-cost")
    OTHER = "other", gettext_lazy("other (VoIP, personal, pager, unknown)")


# A project's calls may go here unless a superuser widens it: its own country's ordinary lines.
DEFAULT_KINDS = (NumberKind.MOBILE, NumberKind.FIXED)

_KINDS_OF_TYPE = {
    PhoneNumberType.MOBILE: (NumberKind.MOBILE,),
    PhoneNumberType.FIXED_LINE: (NumberKind.FIXED,),
    PhoneNumberType.FIXED_LINE_OR_MOBILE: (NumberKind.MOBILE, NumberKind.FIXED),
    PhoneNumberType.TOLL_FREE: (NumberKind.TOLL_FREE,),
    PhoneNumberType.PREMIUM_RATE: (NumberKind.PREMIUM_RATE,),
    PhoneNumberType.SHARED_COST: (NumberKind.SHARED_COST,),
}


@dataclass(frozen=True)
class Placed:
    """Where a number rings: its country (ISO region code, "" if unknown) and its kinds (a
    number libphonenumber cannot tell mobile from fixed has both)."""

    number: str
    country: str
    kinds: tuple[str, ...]


@lru_cache(maxsize=4096)
def place(e164: str) -> Placed:
    """The country and kinds of an E.164 number (remembered: a call's routing asks again for
    the same numbers, and parsing one costs tens of microseconds)."""
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return Placed(e164, "", (NumberKind.OTHER,))
    country = phonenumbers.region_code_for_number(parsed) or ""
    kinds = _KINDS_OF_TYPE.get(phonenumbers.number_type(parsed), (NumberKind.OTHER,))
    return Placed(e164, country, tuple(str(kind) for kind in kinds))


def country_name(country: str, language: str | None = None) -> str:
    """The country's name in `language` (the active one): "United Kingdom", "Vương quốc Anh"."""
    if not country:
        return gettext("an unknown country")
    language = (language or get_language() or settings.LANGUAGE_CODE).split("-")[0]
    try:
        example = phonenumbers.example_number(country)
    except Exception:  # a region libphonenumber has no example for
        example = None
    name = geocoder.country_name_for_number(example, language) if example else ""
    return name or country


def country_choices() -> list[tuple[str, str]]:
    """Every country libphonenumber knows, as (code, name) sorted by name."""
    return sorted(
        ((code, f"{country_name(code)} ({code})") for code in phonenumbers.SUPPORTED_REGIONS),
        key=lambda choice: choice[1],
    )


def kind_names(kinds: Iterable[str]) -> str:
    labels = dict(NumberKind.choices)
    return ", ".join(str(labels.get(kind, kind)) for kind in kinds)


@dataclass(frozen=True)
class DialPolicy:
    """The countries a project's calls may go to, each with the kinds of number allowed there."""

    allowed: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Mapping[str, Iterable[str]]) -> DialPolicy:
        return cls({country: frozenset(kinds) for country, kinds in data.items()})

    def as_json(self) -> dict[str, list[str]]:
        return {country: sorted(kinds) for country, kinds in sorted(self.allowed.items())}

    def permits(self, e164: str) -> bool:
        return self.refusal(e164) is None

    def refusal(self, e164: str) -> str | None:
        """Why a call to `e164` may not be made (None: it may), in the staff member's words:
        the number, its country and kind, and how to allow it."""
        placed = place(e164)
        allowed = self.allowed.get(placed.country, frozenset())
        if any(kind in allowed for kind in placed.kinds):
            return None
        return gettext(
            "%(number)s is a %(kind)s number in %(country)s: this project may not send calls "
            "there. A superuser can allow %(kind)s numbers in %(country)s on the project's page "
            "(Where calls may go)."
        ) % {
            "number": _readable(e164),
            "kind": kind_names(placed.kinds[:1]),
            "country": country_name(placed.country),
        }


def _readable(e164: str) -> str:
    """The number as staff read it: grouped (+44 909 879 0000), or national for a home number."""
    shown = phone_display(e164)
    if shown != e164:
        return shown
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


ANYWHERE = DialPolicy(
    {code: frozenset(NumberKind.values) for code in phonenumbers.SUPPORTED_REGIONS}
)


class DestinationRefused(Exception):
    """A call would go where its project's policy does not allow (or past its hourly ceiling);
    its text says why, for the routing error log."""


# --- the hourly ceiling of calls to phone numbers ----------------------------------------------

HOUR_SECONDS = 3600


def current_hour() -> int:
    """The number of the current clock hour since the epoch."""
    return int(time.time() // HOUR_SECONDS)


def external_calls_key(project_id: int, hour: int | None = None) -> str:
    """The cache key counting the project's calls to phone numbers in one clock hour."""
    return f"external-calls:{project_id}:{current_hour() if hour is None else hour}"


def refused_calls_key(project_id: int, hour: int | None = None) -> str:
    """The cache key counting the calls refused past the hourly ceiling (the dashboard's alert)."""
    return f"external-refused:{project_id}:{current_hour() if hour is None else hour}"


def _count(key: str) -> int | None:
    cache.add(key, 0, 2 * HOUR_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.add(key, 1, 2 * HOUR_SECONDS)
        return 1


def external_call_counted(project_id: int, ceiling: int | None) -> bool:
    """Count one call to a phone number (routed, or placed by a callout); False past the
    project's ceiling this hour (the refusal is counted for the dashboard).

    With the cache unreachable nothing can be counted and the call goes through: a Redis
    outage must not stop a tenant's calls (the policy of where calls may go still holds).
    """
    if ceiling is None:
        return True
    count = _count(external_calls_key(project_id))
    if count is None or count <= ceiling:
        return True
    _count(refused_calls_key(project_id))
    return False
