"""Stringee-style JWT authentication: `X-STRINGEE-AUTH`, `Authorization: Bearer` or
`?access_token=`.

The token is the one Stringee's own REST API takes: HS256, header `cty: stringee-api;v=1`,
claims `jti`, `iss` (the project's API key SID), `exp` and `rest_api` (`true`, or `1` as
Stringee's own sample signs it), signed with the project's API key secret. A valid token makes
the caller that one project, on every request until its `exp` (at most 24 hours away): Stringee's
recipe makes `jti` = `<SID>-<unix seconds>`, so two tokens signed in one second are the same
token, and its clients keep one token for its whole life. The per-project throttle
(portal.api.base) bounds how often any token may be used. Client access tokens (for the
Stringee SDK) are built here too: same header, `userId` instead of `rest_api`, plus
`icc_api: true` for a contact-center agent.

A tenant's own API keys (`Authorization: Api-Key <key>`, see portal.models.ApiKey) are checked
here too; a read-only key makes a caller that may not write.

A signed-in staff browser may call the API with its session cookie, once the session has passed
the second factor it owes (portal.second_factor): until then, 403.
"""

import math
import secrets
import time
import uuid
from dataclasses import dataclass

import jwt
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import (
    BaseAuthentication,
    SessionAuthentication,
    get_authorization_header,
)

from portal.audit import note_api_caller
from portal.models import ApiKey, Project, api_key_digest
from portal.second_factor import refusal_text, step_owed
from portal.webhooks.inputs import bad_text

ALGORITHM = "HS256"
MAX_LIFETIME_SECONDS = 24 * 3600
CONTENT_TYPE = "stringee-api;v=1"
HEADER_NAME = "X-STRINGEE-AUTH"
QUERY_PARAMETER = "access_token"


@dataclass(frozen=True)
class ProjectCaller:
    """The `request.user` of a JWT-authenticated call: acts for one project, as its owner."""

    project: Project
    api_key: ApiKey | None = None
    is_authenticated: bool = True
    is_anonymous: bool = False
    is_superuser: bool = False
    is_staff: bool = False
    is_active: bool = True

    @property
    def pk(self) -> str:
        return f"project:{self.project.pk}"

    @property
    def read_only(self) -> bool:
        """A read-only API key may not write; the Stringee JWT and read-write keys may."""
        return self.api_key is not None and self.api_key.read_only

    def __str__(self) -> str:
        if self.api_key is not None:
            return _("API key “%(name)s” (%(prefix)s…)") % {
                "name": self.api_key.name,
                "prefix": self.api_key.prefix,
            }
        return _("Stringee API key %(sid)s") % {"sid": self.project.api_key_sid}


def _stringee_token(project: Project, extra: dict, ttl: int, now: int | None) -> str:
    now = int(time.time()) if now is None else now
    jti = f"{project.api_key_sid}-{now}-{uuid.uuid4().hex[:12]}"
    claims = {"jti": jti, "iss": project.api_key_sid, "exp": now + ttl, **extra}
    return jwt.encode(
        claims, project.api_key_secret, algorithm=ALGORITHM, headers={"cty": CONTENT_TYPE}
    )


def make_rest_token(project: Project, ttl: int = 3600, now: int | None = None) -> str:
    """A REST API token for `project`, as Stringee's samples build it."""
    return _stringee_token(project, {"rest_api": True}, ttl, now)


def make_client_token(
    project: Project,
    user_id: str,
    ttl: int = 3600,
    now: int | None = None,
    *,
    icc_api: bool = False,
) -> str:
    """A Stringee client access token: lets app user `user_id` log in to the SDK for `ttl` seconds.

    `icc_api` makes it a contact-center (PCC) agent token, as Stringee's sample signs one.
    """
    extra: dict = {"userId": user_id}
    if icc_api:
        extra["icc_api"] = True
    return _stringee_token(project, extra, ttl, now)


def is_rest_claim(value: object) -> bool:
    """`rest_api` as Stringee issues it: JSON `true` or the number `1` (not "1", not 2, not 1.0)."""
    return value is True or (type(value) is int and value == 1)


# The registered time claims; each must be a JSON number (PyJWT would take "1893456000").
TIME_CLAIMS = ("exp", "iat", "nbf")
# Far beyond any real time (year ~33658), small enough that no arithmetic on it overflows.
LARGEST_TIME = 10**12


def _is_time(value: object) -> bool:
    """A JSON number (not a boolean, a string, null or NaN) within LARGEST_TIME of 1970."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value) and abs(value) <= LARGEST_TIME


def _rejected(detail: str, code: str) -> exceptions.AuthenticationFailed:
    return exceptions.AuthenticationFailed(detail, code=code)


def verify_rest_token(token: str, now: float | None = None) -> tuple[Project, dict]:
    """Return the project and claims of a valid REST token, or raise AuthenticationFailed.

    Only HS256 is accepted, whatever the header asks for: `none`, other HMACs and public-key
    algorithms are refused before any key is looked up.
    """
    try:
        header = jwt.get_unverified_header(token)
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise _rejected(
            _("Malformed token: %(problem)s.") % {"problem": exc}, "malformed_token"
        ) from exc
    if header.get("alg") != ALGORITHM:
        raise _rejected(
            _("Token algorithm must be %(algorithm)s.") % {"algorithm": ALGORITHM}, "bad_algorithm"
        )
    for name in TIME_CLAIMS:
        if name in unverified and not _is_time(unverified[name]):
            raise _rejected(
                _("The `%(claim)s` claim must be a number of seconds since 1970.")
                % {"claim": name},
                "bad_claim_type",
            )
    issuer = unverified.get("iss", "")
    if not isinstance(issuer, str) or bad_text(issuer):  # PostgreSQL cannot even compare a NUL
        raise _rejected(_("Unknown API key SID in `iss`."), "unknown_sid")
    project = Project.objects.filter(api_key_sid=issuer, is_active=True).first()
    if project is None:
        raise _rejected(_("Unknown API key SID in `iss`."), "unknown_sid")
    try:
        claims = jwt.decode(
            token,
            project.api_key_secret,
            algorithms=[ALGORITHM],
            options={"require": ["exp", "iss", "jti"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise _rejected(_("Token has expired."), "token_expired") from exc
    except jwt.InvalidSignatureError as exc:
        raise _rejected(
            _("Token signature does not match the API key secret."), "bad_signature"
        ) from exc
    except jwt.PyJWTError as exc:
        raise _rejected(
            _("Invalid token: %(problem)s.") % {"problem": exc}, "invalid_token"
        ) from exc
    if not is_rest_claim(claims.get("rest_api")):
        raise _rejected(_("Token lacks the `rest_api: true` (or 1) claim."), "not_a_rest_token")
    # Both bounds: from now (so a future `iat` cannot stretch a token) and from `iat` when given.
    now = time.time() if now is None else now
    issued = claims.get("iat", now)
    if claims["exp"] - min(issued, now) > MAX_LIFETIME_SECONDS:
        raise _rejected(_("Token lifetime exceeds 24 hours."), "lifetime_too_long")
    return project, claims


class StringeeJWTAuthentication(BaseAuthentication):
    """DRF authentication class for REST tokens; other schemes fall through to the next class.

    The token is read from the `X-STRINGEE-AUTH` header, else `Authorization: Bearer`, else the
    `access_token` query parameter (Stringee documents the header and the query parameter).
    """

    keyword = "Bearer"

    def authenticate(self, request):
        token = (
            request.META.get("HTTP_X_STRINGEE_AUTH")
            or self._bearer(request)
            or request.query_params.get(QUERY_PARAMETER)
        )
        if not token:
            return None
        project, claims = verify_rest_token(token)
        caller = ProjectCaller(project)
        note_api_caller(label=str(caller))
        return caller, claims

    def _bearer(self, request) -> str | None:
        parts = get_authorization_header(request).split()
        if len(parts) == 2 and parts[0].decode(errors="replace").lower() == self.keyword.lower():
            return parts[1].decode(errors="replace")
        return None

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api", header="{HEADER_NAME}"'


API_KEY_KEYWORD = "Api-Key"


def verify_api_key(plain_key: str, now=None) -> ApiKey:
    """The active key `plain_key` names, or AuthenticationFailed (unknown, revoked, expired)."""
    parts = plain_key.split("_", 2)  # "spk", 8 hex digits, the secret (which may hold "_")
    prefix = "_".join(parts[:2]) if len(parts) == 3 else ""
    key = None
    if prefix and not bad_text(plain_key):
        key = ApiKey.objects.select_related("project").filter(prefix=prefix).first()
    if key is None or not secrets.compare_digest(key.key_hash, api_key_digest(plain_key)):
        raise _rejected(_("Unknown API key."), "unknown_api_key")
    now = now or timezone.now()
    if key.revoked_at is not None:
        raise _rejected(_("This API key was revoked."), "api_key_revoked")
    if key.expires_at is not None and key.expires_at <= now:
        raise _rejected(_("This API key has expired."), "api_key_expired")
    if not key.project.is_active:
        raise _rejected(_("This API key's project is switched off."), "project_inactive")
    _note_use(key, now)
    return key


def _note_use(key: ApiKey, now) -> None:
    """Write "last used" at most once a minute (API_KEY_LAST_USED_EVERY_SECONDS): one UPDATE,
    not one per request."""
    every = settings.API_KEY_LAST_USED_EVERY_SECONDS
    if key.last_used_at is not None and (now - key.last_used_at).total_seconds() < every:
        return
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    key.last_used_at = now


class ApiKeyAuthentication(BaseAuthentication):
    """`Authorization: Api-Key <key>`: a tenant's own key, created in the admin."""

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].decode(errors="replace").lower() != API_KEY_KEYWORD.lower():
            return None
        if len(parts) != 2:
            raise _rejected(_("Send the key as “Api-Key <key>”."), "malformed_api_key")
        key = verify_api_key(parts[1].decode(errors="replace"))
        caller = ProjectCaller(key.project, api_key=key)
        note_api_caller(label=str(caller), api_key_id=key.pk)
        return caller, key

    def authenticate_header(self, request) -> str:
        return f'{API_KEY_KEYWORD} realm="api"'


class SecondFactorRequired(exceptions.PermissionDenied):
    default_code = "second_factor_required"


class VerifiedSessionAuthentication(SessionAuthentication):
    """DRF's session authentication (with its CSRF check), refusing a session that has not
    passed the second factor it owes: the same rule as the admin's pages."""

    def authenticate(self, request):
        found = super().authenticate(request)
        if found is not None and step_owed(request._request) is not None:
            raise SecondFactorRequired(refusal_text())
        return found
