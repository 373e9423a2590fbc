"""`{{ number|phone_display }}`: a stored number the way staff read it (see portal.phone)."""

from django import template

from portal.phone import phone_display as display

register = template.Library()


@register.filter
def phone_display(value) -> str:
    return display(str(value) if value is not None else "")
