"""Query filters of the tenancy API, including the inventory's prefix and pattern search.

Pattern syntax (inventory `?pattern=`): digits, `*` for any run of digits and `?` for exactly
one digit, matched against the number's digits with country code (`84901234567`). A pattern
without `*` matches anywhere in the number (`888` finds `84908881234`); with `*` it must
match the whole number (`*888` ends in 888, `8490*` starts with 8490).
"""

import re
from datetime import UTC, datetime

import django_filters
import phonenumbers
from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError

from portal.models import AppUser, VirtualNumber
from portal.phone import normalize_or_none

_NON_DIGITS = re.compile(r"\D")


class BoundedIsoDateTimeField(IsoDateTimeField):
    """An ISO time, given to the database in UTC.

    PostgreSQL refuses a UTC offset beyond ±15:59 ("time zone displacement out of range") that
    ISO 8601 allows (up to ±23:59), so every moment is turned into UTC first. A moment before
    year 1 or after year 9999 in UTC (`9999-12-31T23:59-05:00`) becomes the nearest one Python
    holds: no stored time lies beyond it, so the filter keeps the same rows.
    """

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None or moment.tzinfo is None:
            return moment
        try:
            return moment.astimezone(UTC)
        except OverflowError:
            if moment.year < 5000:
                return datetime.min.replace(tzinfo=UTC)
            return datetime.max.replace(tzinfo=UTC)


class BoundedIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """`IsoDateTimeFilter` for any ISO 8601 time with an offset (see BoundedIsoDateTimeField)."""

    field_class = BoundedIsoDateTimeField


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter's backend, refusing with a 400 naming the parameter what it would quietly
    read as "no filter": a boolean it cannot read (`?is_active=maybe`), an empty value for a
    filter that is not free text, or a filter given twice. Unknown parameters are ignored.
    (Malformed dates and unknown choices are already refused by the filterset's form.)"""

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None and filterset.is_valid():
            refuse_unread_filters(filterset, request.query_params)
        return filterset


def refuse_unread_filters(filterset: django_filters.FilterSet, params) -> None:
    problems: dict[str, list[str]] = {}
    for name, declared in filterset.filters.items():
        values = params.getlist(name)
        if not values:
            continue
        if len(values) > 1 and not isinstance(declared, django_filters.MultipleChoiceFilter):
            problems[name] = [str(_("Give this filter once."))]
        elif isinstance(declared, django_filters.BooleanFilter):
            if filterset.form.cleaned_data.get(name) is None:
                problems[name] = [str(_("Enter true or false."))]
        elif values[0] == "" and not _empty_means_absent(declared):
            problems[name] = [str(_("Give a value, or leave this filter out."))]
    if problems:
        raise ValidationError(problems)


def _empty_means_absent(declared: django_filters.Filter) -> bool:
    """A free-text filter given empty filters nothing (`?search=`); any other is refused."""
    text = isinstance(declared, django_filters.CharFilter)
    return text and getattr(declared, "empty_means_absent", True)


_PATTERN = re.compile(r"^[0-9*?]{1,20}$")


@extend_schema_field({"type": "string", "pattern": _PATTERN.pattern})
class InventoryPatternFilter(django_filters.CharFilter):
    """`?pattern=`, described in the schema with the characters it takes; empty is refused."""

    empty_means_absent = False


def prefix_digits(prefix: str) -> str:
    """The leading E.164 digits a typed prefix stands for.

    A full number is normalised by portal.phone; a partial one is read the same way: `+84 90`,
    `0084 90` and `8490` give `8490`, and a national `090` gives `8490` (PHONE_DEFAULT_REGION).
    """
    full = normalize_or_none(prefix)
    if full:
        return full.lstrip("+")
    text = prefix.strip()
    digits = _NON_DIGITS.sub("", text)
    if text.startswith("+"):
        return digits
    if digits.startswith("00"):
        return digits[2:]
    if digits.startswith("0"):
        country = phonenumbers.country_code_for_region(settings.PHONE_DEFAULT_REGION)
        return f"{country}{digits[1:]}"
    return digits


def pattern_regex(pattern: str) -> str:
    """The database regex for an inventory pattern (see the module docstring)."""
    if not _PATTERN.match(pattern):
        raise ValidationError(
            {"pattern": "Use digits, `*` (any digits) and `?` (one digit), up to 20."}
        )
    body = pattern.replace("*", "[0-9]*").replace("?", "[0-9]")
    if "*" not in pattern:
        body = f"[0-9]*{body}[0-9]*"
    return rf"^\+{body}$"


class NumberFilter(django_filters.FilterSet):
    """The caller's numbers: `?status=`, `?label=` (contains), `?search=` (number in any form, or
    label)."""

    label = django_filters.CharFilter(lookup_expr="icontains")
    search = django_filters.CharFilter(
        method="filter_search", label="Number in any form, or label text"
    )

    class Meta:
        model = VirtualNumber
        fields = ["status", "label"]

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        full = normalize_or_none(value)
        if full:
            return queryset.filter(number=full)
        digits = _NON_DIGITS.sub("", value)
        by_label = Q(label__icontains=value)
        return queryset.filter(by_label | Q(number__contains=digits) if digits else by_label)


class InventoryFilter(django_filters.FilterSet):
    """Numbers for sale: `?prefix=` (any typed form) and `?pattern=` (see the module docstring)."""

    prefix = django_filters.CharFilter(
        method="filter_prefix", label="Leading digits, in any typed form"
    )
    pattern = InventoryPatternFilter(method="filter_pattern", label="Digits with * and ? wildcards")

    class Meta:
        model = VirtualNumber
        fields: list[str] = []

    def filter_prefix(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(number__startswith=f"+{prefix_digits(value)}")

    def filter_pattern(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(number__regex=pattern_regex(value))


class AppUserFilter(django_filters.FilterSet):
    """`?is_active=`, `?search=` (user id or display name contains)."""

    search = django_filters.CharFilter(
        method="filter_search", label="userId or display name contains"
    )

    class Meta:
        model = AppUser
        fields = ["is_active"]

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(user_id__icontains=value) | Q(display_name__icontains=value))
