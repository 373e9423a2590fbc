"""`{{ amount|vnd }}`: a charge in Vietnamese đồng, grouped the reader's way ("12,345 ₫" in
English, "12.345 ₫" in Vietnamese); fractions of a đồng shown only when there are some."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def vnd(value) -> str:
    if value in (None, ""):
        return "–"
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    places = 0 if amount == amount.to_integral_value() else 2
    return f"{number_format(amount, places, use_l10n=True, force_grouping=True)} ₫"
