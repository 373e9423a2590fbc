"""The one reader of a rule's days: "Mon-Fri", "1-5", "1,3,5", "Mon,Wed,Fri", "12345" (pure).

Staff type days in the admin, programs send them to the API, the routing table is built from
the stored value: all three read them with `parse_days`, so a day range means the same
everywhere. Days are ISO weekdays, 1 = Monday … 7 = Sunday; they are stored in their
normalised form, the sorted digits without repeats ("12345"), and blank means every day.

Accepted, case-insensitive, separated by commas, semicolons or spaces:
- a weekday number 1-7, or an English name or its first two or more letters (Mon, Tu,
  Wednesday), or a Vietnamese short name T2 … T7, CN (what `days_label` shows in Vietnamese);
- a range of two of those, with a hyphen or an en or em dash ("Mon-Fri", "1-5", "T2-T6"); a
  range may wrap around the end of the week ("Fri-Mon" is Friday to Monday);
- a run of weekday digits as stored ("135").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import cast

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

# What the parser reads, in every language: English names (and their first letters) ...
ENGLISH_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
# ... and the Vietnamese short names, "T2" (thứ hai) … "T7", "CN" (chủ nhật).
VIETNAMESE_SHORT_NAMES = ["t2", "t3", "t4", "t5", "t6", "t7", "cn"]
# What staff read, in their language: full names (the week of opening hours) and short names
# (rules' days, the flow picture). The short ones have a context so that Django's own "Mon"
# (dates) keeps its translation. Lazy: each reads as text in the language active when shown
# (typed as str for the choices and labels built from them).
DAY_NAMES: list[str] = cast(
    list[str],
    [
        gettext_lazy("Monday"),
        gettext_lazy("Tuesday"),
        gettext_lazy("Wednesday"),
        gettext_lazy("Thursday"),
        gettext_lazy("Friday"),
        gettext_lazy("Saturday"),
        gettext_lazy("Sunday"),
    ],
)
SHORT_NAMES: list[Promise] = [
    pgettext_lazy("weekday, short", "Mon"),
    pgettext_lazy("weekday, short", "Tue"),
    pgettext_lazy("weekday, short", "Wed"),
    pgettext_lazy("weekday, short", "Thu"),
    pgettext_lazy("weekday, short", "Fri"),
    pgettext_lazy("weekday, short", "Sat"),
    pgettext_lazy("weekday, short", "Sun"),
]
EXAMPLES = "Mon-Fri, 1-5, 1,3,5 or Mon,Wed,Fri"  # typed as is, in any language
SHOWN = 20  # characters of a bad entry repeated in its error message

_DASHES = re.compile(r"\s*[-–—]\s*")
_SEPARATORS = re.compile(r"[,;\s]+")


class DaysError(ValueError):
    """The text is not a list of days; the message says why, in words for staff and callers."""


def _shown(text: str) -> str:
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"


def _day(token: str) -> int:
    """One day: a digit 1-7, an English weekday name (at least its first two letters) or a
    Vietnamese short name (T2 … T7, CN)."""
    if token.isascii() and token.isdigit():
        number = int(token) if len(token) <= 2 else 0
        if 1 <= number <= 7:
            return number
        raise DaysError(
            _("“%(text)s” is not a weekday number: 1 is Monday … 7 is Sunday (e.g. %(examples)s).")
            % {"text": _shown(token), "examples": EXAMPLES}
        )
    word = token.lower()
    if word in VIETNAMESE_SHORT_NAMES:
        return VIETNAMESE_SHORT_NAMES.index(word) + 1
    if len(word) >= 2:
        for number, name in enumerate(ENGLISH_NAMES, start=1):
            if name.lower().startswith(word):
                return number
    raise DaysError(
        _("“%(text)s” is not a day. Write days as %(examples)s.")
        % {"text": _shown(token), "examples": EXAMPLES}
    )


def _part(part: str) -> list[int]:
    if "-" in part:
        ends = part.split("-")
        if len(ends) != 2 or not all(ends):
            raise DaysError(
                _("“%(text)s” is not a range of days such as Mon-Fri or 1-5.")
                % {"text": _shown(part)}
            )
        first, last = _day(ends[0]), _day(ends[1])
        span = (last - first) % 7
        return [(first - 1 + step) % 7 + 1 for step in range(span + 1)]
    if part.isascii() and part.isdigit() and len(part) > 1:
        return [_day(digit) for digit in part]  # the stored form, "135"
    return [_day(part)]


def parse_days(value: object) -> tuple[int, ...]:
    """The ISO weekdays `value` names, sorted without repeats (empty: every day); DaysError if
    it names anything else."""
    if value is None:
        return ()
    if isinstance(value, int | list | tuple | set | frozenset):
        items = [value] if isinstance(value, int) else list(value)
        if not all(isinstance(item, int | str) and not isinstance(item, bool) for item in items):
            raise DaysError(
                _("Days are weekday numbers or names, e.g. %(examples)s.") % {"examples": EXAMPLES}
            )
        value = ",".join(str(item) for item in items)
    if not isinstance(value, str):
        raise DaysError(_("Days are text such as %(examples)s.") % {"examples": EXAMPLES})
    text = _DASHES.sub("-", value.strip())
    days: set[int] = set()
    for part in _SEPARATORS.split(text):
        if part:
            days.update(_part(part))
    return tuple(sorted(days))


def normalise_days(value: object) -> str:
    """The stored form of `value`: weekday digits in order ("12345"; "" for every day)."""
    return "".join(str(day) for day in parse_days(value))


def days_label(days: Iterable[int] | str) -> str:
    """Days in words, in the active language: "Mon" to "Fri" joined by an en dash ("T2" to "T6" in
    Vietnamese), "Mon, Wed, Fri", "" for every day (reads stored text too). `parse_days` reads
    the label back in either language."""
    days = parse_days(days) if isinstance(days, str) else tuple(sorted(set(days)))
    if not days:
        return ""
    if len(days) > 2 and days == tuple(range(days[0], days[-1] + 1)):
        return f"{SHORT_NAMES[days[0] - 1]}–{SHORT_NAMES[days[-1] - 1]}"
    return ", ".join(str(SHORT_NAMES[day - 1]) for day in days)
