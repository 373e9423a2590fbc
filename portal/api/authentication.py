"""Stringee-style JWT authentication: `X-STRINGEE-AUTH: <jwt>` or `Authorization: Bearer <jwt>`.

The token is the one Stringee's own REST API takes: HS256, header `cty: stringee-api;v=1`,
claims `jti`, `iss` (the project's API key SID), `exp` and `rest_api: true`, signed with the
project's API key secret. A valid token makes the caller that one project. Client access
tokens (for the Stringee SDK) are built here too: same header, `userId` instead of `rest_api`.
"""

import time
from dataclasses import dataclass

import jwt
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from portal.models import Project

ALGORITHM = "HS256"
MAX_LIFETIME_SECONDS = 24 * 3600
CONTENT_TYPE = "stringee-api;v=1"
HEADER_NAME = "X-STRINGEE-AUTH"


@dataclass(frozen=True)
class ProjectCaller:
    """The `request.user` of a JWT-authenticated call: acts for one project, as its owner."""

    project: Project
    is_authenticated: bool = True
    is_anonymous: bool = False
    is_superuser: bool = False
    is_staff: bool = False
    is_active: bool = True

    @property
    def pk(self) -> str:
        return f"project:{self.project.pk}"

    def __str__(self) -> str:
        return f"API key {self.project.api_key_sid}"


def _stringee_token(project: Project, extra: dict, ttl: int, now: int | None) -> str:
    now = int(time.time()) if now is None else now
    claims = {"jti": f"{project.api_key_sid}-{now}", "iss": project.api_key_sid, "exp": now + ttl, **extra}
    return jwt.encode(claims, project.api_key_secret, algorithm=ALGORITHM, headers={"cty": CONTENT_TYPE})


def make_rest_token(project: Project, ttl: int = 3600, now: int | None = None) -> str:
    """A REST API token for `project`, as Stringee's samples build it."""
    return _stringee_token(project, {"rest_api": True}, ttl, now)


def make_client_token(project: Project, user_id: str, ttl: int = 3600, now: int | None = None) -> str:
    """A Stringee client access token: lets app user `user_id` log in to the SDK for `ttl` seconds."""
    return _stringee_token(project, {"userId": user_id}, ttl, now)


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
        raise _rejected(f"Malformed token: {exc}.", "malformed_token") from exc
    if header.get("alg") != ALGORITHM:
        raise _rejected(f"Token algorithm must be {ALGORITHM}.", "bad_algorithm")
    project = Project.objects.filter(api_key_sid=str(unverified.get("iss", "")), is_active=True).first()
    if project is None:
        raise _rejected("Unknown API key SID in `iss`.", "unknown_sid")
    try:
        claims = jwt.decode(
            token, project.api_key_secret, algorithms=[ALGORITHM], options={"require": ["exp", "iss", "jti"]}
        )
    except jwt.ExpiredSignatureError as exc:
        raise _rejected("Token has expired.", "token_expired") from exc
    except jwt.InvalidSignatureError as exc:
        raise _rejected("Token signature does not match the API key secret.", "bad_signature") from exc
    except jwt.PyJWTError as exc:
        raise _rejected(f"Invalid token: {exc}.", "invalid_token") from exc
    if claims.get("rest_api") is not True:
        raise _rejected("Token lacks the `rest_api: true` claim.", "not_a_rest_token")
    # Both bounds: from now (so a future `iat` cannot stretch a token) and from `iat` when given.
    now = time.time() if now is None else now
    issued = claims.get("iat", now)
    if claims["exp"] - min(issued, now) > MAX_LIFETIME_SECONDS:
        raise _rejected("Token lifetime exceeds 24 hours.", "lifetime_too_long")
    return project, claims


class StringeeJWTAuthentication(BaseAuthentication):
    """DRF authentication class for REST tokens; other schemes fall through to the next class."""

    keyword = "Bearer"

    def authenticate(self, request):
        token = request.META.get("HTTP_X_STRINGEE_AUTH") or self._bearer(request)
        if not token:
            return None
        project, claims = verify_rest_token(token)
        return ProjectCaller(project), claims

    def _bearer(self, request) -> str | None:
        parts = get_authorization_header(request).split()
        if len(parts) == 2 and parts[0].decode(errors="replace").lower() == self.keyword.lower():
            return parts[1].decode(errors="replace")
        return None

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api", header="{HEADER_NAME}"'


# Registers the OpenAPI description of this scheme (drf-spectacular discovers it by class path).
from portal.api import schema  # noqa: E402, F401
