"""Codes of a staff member's authenticator app, computed from the secret the portal stored, for
demos, screenshots and tests (never on a request's path): what the phone would show."""

from __future__ import annotations

import time
from base64 import b32decode
from binascii import unhexlify
from typing import Any

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def code_from_secret(secret: str, *, after_step: int = -1, now: float | None = None) -> str:
    """The 6 digits an app shows for `secret` (base32, as the enrolment page writes it, spaces
    allowed), for the time step after `after_step` if the current one was already used (the
    portal accepts each step once, and one step ahead)."""
    plain = secret.replace(" ", "").upper()
    key = b32decode(plain + "=" * (-len(plain) % 8))
    return _code(key, after_step=after_step, now=now)


def code_for(user: Any) -> str:
    """The code `user`'s confirmed authenticator app shows now (or at the next step)."""
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return _code(unhexlify(device.key), after_step=device.last_t, now=None)


def verified_device(user: Any) -> TOTPDevice:
    """`user`'s confirmed authenticator app, set up here if they have none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app")


def mark_verified(client: Any, user: Any) -> None:
    """The signed-in session of test client `client` counts as having passed `user`'s second
    factor (their app, set up here if they have none), as django-otp's `login()` leaves it."""
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = verified_device(user).persistent_id
    session.save()


def _code(key: bytes, *, after_step: int, now: float | None) -> str:
    generator = TOTP(key, step=30, t0=0, digits=6)
    generator.time = time.time() if now is None else now
    if generator.t() <= after_step:  # this step's code was used: the next step's
        generator.drift = 1
    return f"{generator.token():06d}"
