"""Two-factor sign-in: who must have a second factor, what a signed-in session still owes, and
how the enrolment page shows a secret (QR code and text).

The devices are django-otp's: a TOTP device (an authenticator app) and a static device whose
tokens are the recovery codes. A session has passed its second factor once django-otp's
`login()` has put a device in it (`request.user.is_verified()`, set by django-otp's
middleware). Writes live in portal.services.second_factor.
"""

from __future__ import annotations

import hashlib
from base64 import b32encode
from enum import Enum
from typing import Any

import segno
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.models import Membership


class Step(Enum):
    """What a signed-in session must do before it reaches any staff page."""

    VERIFY = "verify"  # type the code of the device it has
    ENROL = "enrol"  # set up a device first (it must have one and has none)


def must_have_second_factor(user: Any) -> bool:
    """Superusers, and every member of a project whose owners ask for it."""
    if getattr(user, "is_superuser", False):
        return True
    return Membership.objects.filter(user=user, project__staff_need_second_factor=True).exists()


def has_second_factor(user: Any) -> bool:
    """Whether `user` has set up an authenticator app (recovery codes come with it)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def step_owed(request: HttpRequest) -> Step | None:
    """What the signed-in session of `request` owes before any staff page (None: nothing).

    A verified session costs no query; an unverified one costs one.
    """
    user = request.user
    if not user.is_authenticated:
        return None
    is_verified = getattr(user, "is_verified", None)
    if is_verified is not None and is_verified():
        return None
    facts = getattr(request, "_second_factor_facts", None)
    if facts is None:  # read once per request: the middleware and the site both ask
        facts = request._second_factor_facts = _facts(user)  # type: ignore[attr-defined]
    if facts is None:
        return None
    if facts["device"]:
        return Step.VERIFY
    if user.is_superuser or facts["asked"]:
        return Step.ENROL
    return None


def refusal_text() -> str:
    """What a JSON path answers a session that owes its second factor."""
    return _(
        "This session has not passed two-factor sign-in yet: sign in to the admin and type the "
        "code of your authenticator app (or set one up) first."
    )


def _facts(user) -> Any:
    """Whether `user` has a device, and whether a project of theirs asks for one (one query)."""
    return (
        get_user_model()
        ._default_manager.filter(pk=user.pk)
        .annotate(
            device=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
            asked=Exists(
                Membership.objects.filter(
                    user=OuterRef("pk"), project__staff_need_second_factor=True
                )
            ),
        )
        .values("device", "asked")
        .first()
    )


# --- what the enrolment page shows ---------------------------------------------------------------


def secret_as_text(device: TOTPDevice) -> str:
    """The device's secret in base32 (what authenticator apps take by hand), in groups of four."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// URL as an inline SVG QR code (drawn here, nothing fetched)."""
    code = segno.make(device.config_url, error="m")
    return code.svg_inline(scale=5, border=2, dark="#000", light="#fff")


# --- recovery codes ------------------------------------------------------------------------------

RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
RECOVERY_CODE_LENGTH = 12


def recovery_code_digest(code: str) -> str:
    """What is stored of a recovery code: the first 64 bits of its SHA-256 (django-otp's token
    column holds 16 characters), never the code. Spaces, dashes and case do not matter."""
    plain = "".join(ch for ch in code.lower() if ch.isalnum())
    return hashlib.sha256(plain.encode()).hexdigest()[:16]


def looks_like_recovery_code(typed: str) -> bool:
    """Anything but 6 digits (an authenticator app's code; spaces aside) is tried as a recovery
    code."""
    plain = "".join(ch for ch in typed if ch.isalnum())
    return not (len(plain) == 6 and plain.isdigit())
