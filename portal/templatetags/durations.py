"""`{{ seconds|duration }}`: a duration in minutes and seconds (see portal.durations)."""

from django import template

from portal.durations import duration_in_words

register = template.Library()


@register.filter
def duration(value) -> str:
    try:
        return duration_in_words(None if value in (None, "") else float(value))
    except (TypeError, ValueError):
        return str(value)
