"""Is the project open? Weekly opening hours and holidays read in the project's time zone (pure).

A calendar is `{"hours": {"1": [["08:00:00", "17:30:00"], ...], ...}, "holidays": ["2026-01-01"]}`
(ISO weekdays, 1 = Monday). Windows are [opens, closes); a closing time of 00:00 means midnight.
A holiday closes the whole local day. A project with no opening hours at all is open every day
except its holidays, so adding holidays alone never closes a project for good.
"""

from datetime import datetime, time
from zoneinfo import ZoneInfo

from routing.kinds import Hours

MIDNIGHT = "00:00:00"


def is_open(calendar: dict, at: datetime, time_zone: str) -> bool:
    """Whether the instant `at` falls in an opening window of the calendar's local day."""
    local = at.astimezone(ZoneInfo(time_zone))
    if local.date().isoformat() in (calendar.get("holidays") or ()):
        return False
    hours = calendar.get("hours") or {}
    if not hours:
        return True
    now = local.time()
    for opens, closes in hours.get(str(local.isoweekday()), ()):
        if time.fromisoformat(opens) <= now and (
            closes == MIDNIGHT or now < time.fromisoformat(closes)
        ):
            return True
    return False


def hours_allow(required: str, calendar: dict, at: datetime, time_zone: str) -> bool:
    """A rule's business-hours condition: "any", "open" or "closed"."""
    if required not in (Hours.OPEN, Hours.CLOSED):
        return True
    return is_open(calendar, at, time_zone) == (required == Hours.OPEN)
