"""How long something lasted, as staff read it: "37 s", "5 min 37 s", "1 h 05 min"."""

from __future__ import annotations

from django.utils.translation import gettext


def duration_in_words(seconds: float | None) -> str:
    """`seconds` rounded to whole seconds and said in minutes and seconds (a dash when unknown)."""
    if seconds is None:
        return "–"
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return gettext("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": minutes}
    if minutes:
        return gettext("%(minutes)d min %(seconds)02d s") % {"minutes": minutes, "seconds": secs}
    return gettext("%(seconds)d s") % {"seconds": secs}
