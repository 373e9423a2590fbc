"""An SCCO in a call-centre lead's words: what the caller hears and what happens, action by
action (the call's story and the simulate page)."""

from django.utils.translation import gettext


def action_in_words(action: dict) -> str:
    """One SCCO action as a call-centre lead would say it."""
    kind = action.get("action")
    if kind == "talk":
        return gettext("Says “%(text)s”") % {"text": action.get("text", "")}
    if kind == "play":
        return gettext("Plays a recorded message")
    if kind == "input":
        return gettext("Waits for the caller to press a key")
    if kind == "record":
        return gettext("Records the conversation")
    if kind == "recordMessage":
        return gettext("Records a voicemail")
    if kind == "connect":
        to: dict = action.get("to") or {}
        where = {
            "internal": gettext("app user"),
            "external": gettext("phone"),
            "sip": gettext("SIP address"),
        }.get(to.get("type") or "", "")
        text = gettext("Connects to %(where)s %(number)s") % {
            "where": where,
            "number": to.get("number", ""),
        }
        text = text.replace("  ", " ")
        if action.get("continueOnFail"):
            text += " " + gettext("(then tries the next step if nobody answers)")
        return text
    return f"{kind}"
