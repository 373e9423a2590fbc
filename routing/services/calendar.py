"""Writes of a project's business calendar: its week of opening hours, written whole."""

from collections.abc import Iterable
from datetime import time
from itertools import pairwise

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.models import Project
from portal.tenancy.policy import notify_changed
from routing.models import WEEKDAYS, OpeningHours

DAY_NAMES = dict(WEEKDAYS)
MIDNIGHT = time(0, 0)


def _seconds(moment: time) -> int:
    return moment.hour * 3600 + moment.minute * 60 + moment.second


def _end(window: OpeningHours) -> int:
    """Seconds from the day's start to the window's end; 00:00 closes at midnight."""
    return 24 * 3600 if window.closes == MIDNIGHT else _seconds(window.closes)


def week_check(project: Project, windows: Iterable[tuple[int, time, time]]) -> list[OpeningHours]:
    """The week's windows as rows, or ValidationError naming each bad or overlapping window."""
    rows = [
        OpeningHours(project=project, weekday=weekday, opens=opens, closes=closes)
        for weekday, opens, closes in windows
    ]
    problems: list[str] = []
    for row in rows:
        try:
            row.clean_fields(exclude=["project"])
            row.clean()
        except ValidationError as exc:
            day = DAY_NAMES.get(row.weekday, str(row.weekday))
            problems += [
                _("%(day)s: %(problem)s") % {"day": day, "problem": message}
                for message in exc.messages
            ]
    if problems:
        raise ValidationError(problems)
    by_day = sorted(rows, key=lambda row: (row.weekday, row.opens))
    for before, after in pairwise(by_day):
        if before.weekday == after.weekday and _seconds(after.opens) < _end(before):
            problems.append(
                _("%(day)s: %(first)s and %(second)s overlap.")
                % {
                    "day": DAY_NAMES[before.weekday],
                    "first": f"{before.opens:%H:%M}–{before.closes:%H:%M}",
                    "second": f"{after.opens:%H:%M}–{after.closes:%H:%M}",
                }
            )
    if problems:
        raise ValidationError(problems)
    return by_day


@transaction.atomic
def week_save(*, project: Project, windows: Iterable[tuple[int, time, time]]) -> list[OpeningHours]:
    """Replace the project's opening hours with `windows` (weekday 1-7, opens, closes); a day
    without a window is closed. The routing table is rebuilt once, after commit."""
    rows = week_check(project, windows)
    OpeningHours.objects.filter(project=project).delete()
    OpeningHours.objects.bulk_create(rows)
    notify_changed(project.pk)
    return rows
