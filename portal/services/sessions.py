"""Staff sessions: ending every session of one account ("sign out everywhere")."""

from __future__ import annotations

from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.sessions.models import Session
from django.utils import timezone

from portal import audit


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
