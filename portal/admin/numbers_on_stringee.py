"""What the numbers pages say of Stringee, in plain words: each number's state there (in sync,
waiting to be sent, failed and why, different on Stringee, missing), and for superusers the line
on the last reading of the account (or how to connect one)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from portal.models import StringeeState, StringeeSync, VirtualNumber
from portal.stringee.client import is_connected
from portal.stringee.errors import reason_for


def _when(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def state_in_words(number: VirtualNumber) -> str:
    """One sentence: where the number stands on Stringee."""
    state = number.stringee_state
    if state == StringeeState.PENDING:
        words = gettext("Waiting to be sent to Stringee")
    elif state == StringeeState.FAILED:
        words = gettext("Sending to Stringee failed: %(reason)s") % {
            "reason": reason_for(number.stringee_error)
        }
    elif state == StringeeState.DIFFERS:
        words = gettext("Different on Stringee: its calls do not go where the portal says")
    elif state == StringeeState.IN_SYNC and number.stringee_sent_at:
        words = gettext("In sync with Stringee (last sent %(when)s)") % {
            "when": _when(number.stringee_sent_at)
        }
    elif state == StringeeState.IN_SYNC:
        words = gettext("In sync with Stringee")
    else:
        words = gettext("Not sent to Stringee")
    if number.gone_from_stringee_at:
        words += " — " + gettext("missing from the Stringee account since %(when)s") % {
            "when": _when(number.gone_from_stringee_at)
        }
    return words


def may_send_again(number: VirtualNumber) -> bool:
    """Whether the page offers to send the number to Stringee (again)."""
    return is_connected() and number.stringee_state in (
        StringeeState.FAILED,
        StringeeState.DIFFERS,
        StringeeState.PENDING,
    )


def account_line() -> str:
    """For superusers, atop the numbers list: how to connect, or the last reading's outcome."""
    if not is_connected():
        return gettext(
            "Not connected to Stringee: set STRINGEE_ACCOUNT_SID and STRINGEE_ACCOUNT_KEY "
            "(see docs/stringee.md) to read the numbers from Stringee and keep them in sync."
        )
    last = StringeeSync.objects.order_by("-started_at").first()
    if last is None:
        return gettext("Connected to Stringee; the numbers have not been read from it yet.")
    if last.finished_at is None:
        return gettext("Reading the numbers from Stringee (started %(when)s)…") % {
            "when": _when(last.started_at)
        }
    if not last.ok:
        return gettext("The last reading of Stringee failed (%(when)s): %(reason)s") % {
            "when": _when(last.started_at),
            "reason": reason_for(last.error),
        }
    return gettext(
        "Numbers last read from Stringee %(when)s: %(seen)d on Stringee, %(gone)d missing "
        "from it, %(differing)d different on it."
    ) % {
        "when": _when(last.finished_at),
        "seen": last.numbers_seen,
        "gone": last.numbers_gone,
        "differing": last.numbers_differing,
    }
