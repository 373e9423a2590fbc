"""Writes of two-factor sign-in: setting up an authenticator app, confirming a session with a
code, recovery codes, and removing a device (by its owner, or by a superuser when a phone is
lost). Every setup and removal is in the change history (portal.audit's events).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import django_otp
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp.models import VerifyNotAllowed
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.audit import log_event
from portal.errors import DomainError
from portal.models import Membership
from portal.second_factor import (
    RECOVERY_CODE_ALPHABET,
    RECOVERY_CODE_COUNT,
    RECOVERY_CODE_LENGTH,
    looks_like_recovery_code,
    recovery_code_digest,
)

APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"


class NotAllowed(DomainError):
    """Only superusers remove another person's second factor."""

    status = 403
    code = "forbidden"


@dataclass(frozen=True)
class CodeRefused:
    """Why a typed code did not pass: wrong, or too many wrong codes lately."""

    wrong: bool
    locked_until: datetime | None = None


def app_device_pending(*, user: Any) -> TOTPDevice:
    """The authenticator app `user` is setting up (a new secret unless one is already pending)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def app_device_confirm(
    *, request: HttpRequest, device: TOTPDevice, code: str
) -> list[str] | CodeRefused:
    """Confirm the app being set up with the first code it shows: the device becomes the user's
    (other apps left half set up go), the session counts as verified, and fresh recovery codes
    are returned, to be shown once."""
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().filter(pk=device.pk).first()
        if locked is None:  # removed meanwhile (another tab confirmed or removed it)
            return CodeRefused(wrong=True)
        device = locked
        allowed, why = device.verify_is_allowed()
        if not allowed:
            return CodeRefused(wrong=False, locked_until=(why or {}).get("locked_until"))
        if not device.verify_token(_digits(code)):
            return CodeRefused(wrong=True)
        TOTPDevice.objects.filter(user=device.user, confirmed=False).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(device.user)
        _log(device.user, "second_factor_added", by=request.user)
    django_otp.login(request, device)
    return codes


def session_verify(*, request: HttpRequest, code: str) -> CodeRefused | None:
    """Confirm the signed-in session with a code from the user's app or a recovery code (used
    up). Each wrong code makes the next try wait twice as long (django-otp's throttling)."""
    user = request.user
    device: TOTPDevice | StaticDevice | None
    if looks_like_recovery_code(code):
        device = StaticDevice.objects.filter(user=user).first()
        token = recovery_code_digest(code)
    else:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        token = _digits(code)
    if device is None:
        return CodeRefused(wrong=True)
    with transaction.atomic():
        device = type(device).objects.select_for_update().filter(pk=device.pk).first()
        if device is None:  # removed meanwhile
            return CodeRefused(wrong=True)
        allowed, why = device.verify_is_allowed()
        if not allowed:
            locked = (why or {}).get("reason") == VerifyNotAllowed.N_FAILED_ATTEMPTS
            return CodeRefused(
                wrong=False, locked_until=(why or {}).get("locked_until") if locked else None
            )
        if not device.verify_token(token):
            return CodeRefused(wrong=True)
    django_otp.login(request, device)
    return None


def recovery_codes_renew(*, user: Any) -> list[str]:
    """New recovery codes for `user` (the old ones stop working), to be shown once."""
    with transaction.atomic():
        return _new_recovery_codes(user)


def second_factor_remove(*, user: Any, by: Any) -> bool:
    """Remove `user`'s authenticator app and recovery codes: by `user`, or by a superuser (a
    lost phone). False if there was none. Someone who must have a second factor is asked to set
    up a new one at their next page."""
    if by.pk != user.pk and not getattr(by, "is_superuser", False):
        raise NotAllowed(_("Only the portal's administrators remove someone else's second factor."))
    with transaction.atomic():
        removed, _counts = TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        if removed:
            _log(user, "second_factor_removed", by=by)
    return bool(removed)


def _new_recovery_codes(user: Any) -> list[str]:
    codes = [
        "".join(secrets.choice(RECOVERY_CODE_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME)
    device.token_set.bulk_create(
        [device.token_set.model(device=device, token=recovery_code_digest(c)) for c in codes]
    )
    return ["-".join(code[i : i + 4] for i in range(0, len(code), 4)) for code in codes]


def _digits(code: str) -> str:
    return "".join(ch for ch in code if ch.isdigit())[:8]


def _log(user: Any, event: str, *, by: Any) -> None:
    """One entry per project `user` works on (each project's owners read it), else one that
    only superusers read."""
    details = {"person": user.get_username(), "by": by.get_username()}
    projects: list[int | None] = list(
        Membership.objects.filter(user=user).values_list("project_id", flat=True)
    )
    for project_id in projects or [None]:
        log_event(user, event=event, details=details, project_id=project_id)
