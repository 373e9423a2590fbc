"""Staff sessions: ending after an idle time, and every session of one account at once ("sign out
everywhere")."""

from __future__ import annotations

import time

from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.sessions.models import Session
from django.utils import timezone

from portal import audit

# A signed-in session's life (SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES) starts again at a request
# once this many seconds have passed since it last did: one write a minute per active session, not
# one per request, and an idle session ends within a minute of its idle time.
REFRESH_EVERY_SECONDS = 60
REFRESHED_AT = "_portal_refreshed_at"


def session_note_refreshed(session) -> None:
    """Mark `session` as refreshed now (it is saved with a new expiry, as any changed session)."""
    session[REFRESHED_AT] = int(time.time())


def session_signed_in(sender, request, **kwargs) -> None:
    """`user_logged_in` receiver: a new session's idle time starts at sign-in (saved with the
    session, at no extra write)."""
    session_note_refreshed(request.session)


def session_refresh_if_due(session) -> None:
    """Start a signed-in session's idle time again if its last start is a minute old or more.

    Only a session the request has read (the admin's authentication reads it) is looked at, so a
    request that never touched its session costs no query."""
    if not session.accessed or SESSION_KEY not in session:
        return
    if time.time() - session.get(REFRESHED_AT, 0) >= REFRESH_EVERY_SECONDS:
        session_note_refreshed(session)


def sessions_end_all(*, user: AbstractBaseUser) -> int:
    """Delete every live session of `user` (this browser's too) and note it in the change
    history; return how many there were.

    Sessions live in the database (Django's default engine), which keeps no user column: the live
    rows are read and decoded. Their number stays small, since an idle session ends after
    SESSION_IDLE_MINUTES.
    """
    mine = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get(SESSION_KEY) == str(user.pk)
    ]
    Session.objects.filter(session_key__in=mine).delete()
    audit.log_event(user, event="signed_out_everywhere", details={"sessions": str(len(mine))})
    return len(mine)
