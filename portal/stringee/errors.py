"""Why a request to Stringee failed, in words staff understand.

One exception, StringeeError, carries a `code` (stored on the row that failed, so the reason is
shown in the reader's language later) and, when Stringee gave one, its own message.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

REASONS = {
    "not_connected": _("no Stringee account is connected to the portal"),
    "bad_credentials": _("Stringee refused the account SID or key (bad credentials)"),
    "bad_project_key": _("Stringee refused the project's API key SID or secret (bad credentials)"),
    "not_found": _("Stringee does not know this number"),
    "not_on_stringee": _("this number is not in the Stringee account"),
    "busy": _("Stringee was busy and asked to try later"),
    "fault": _("Stringee failed on its side"),
    "no_answer": _("Stringee did not answer in time"),
    "refused": _("Stringee refused the change"),
    "bad_reply": _("Stringee answered something the portal cannot read"),
    "expired": _("it was not placed in time (no background worker took it): it will not be placed"),
    "interrupted": _(
        "the background worker stopped while asking Stringee: the call may have been placed "
        "(see the call log)"
    ),
    "creation_interrupted": _(
        "the background worker stopped while asking Stringee: look for the project in "
        "Stringee's dashboard before asking again"
    ),
}


class StringeeError(Exception):
    """A request to Stringee that failed; `str()` is the reason for staff."""

    def __init__(self, code: str, detail: str = "") -> None:
        self.code = code if code in REASONS else "refused"
        self.detail = detail[:200]
        super().__init__(self.stored)

    @property
    def stored(self) -> str:
        """What is kept on the row: the code, then Stringee's own words if any."""
        return f"{self.code}: {self.detail}" if self.detail else self.code

    def __str__(self) -> str:
        return reason_for(self.stored)


def reason_for(stored: str) -> str:
    """The staff-readable reason of a stored failure ("busy", "refused: number locked")."""
    code, _sep, detail = stored.partition(": ")
    reason = str(REASONS.get(code, REASONS["refused"]))
    return f"{reason}: {detail}" if detail else reason
