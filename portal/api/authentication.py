"""Stringee-style JWT authentication: `X-STRINGEE-AUTH: <jwt>` or `Authorization: Bearer <jwt>`.

The token is the one Stringee's own REST API takes: HS256, header `cty: stringee-api;v=1`,
claims `jti`, `iss` (the project's API key SID), `exp` and `rest_api: true`, signed with the
project's API key secret. A valid token makes the caller that one project.
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


@dataclass(frozen=True)
class ProjectCaller:
    """The `request.user` of a JWT-authenticated call: acts for one project, as its owner."""

    project: Project
    is_authenticated: bool = True
    is_superuser: bool = False
    is_staff: bool = False
    is_active: bool = True

    @property
    def pk(self) -> str:
        return f"project:{self.project.pk}"


def make_rest_token(project: Project, ttl: int = 3600, now: int | None = None) -> str:
    """A REST API token for `project`, as Stringee's samples build it."""
    now = int(time.time()) if now is None else now
    claims = {
        "jti": f"{project.api_key_sid}-{now}",
        "iss": project.api_key_sid,
        "exp": now + ttl,
        "rest_api": True,
    }
    return jwt.encode(claims, project.api_key_secret, algorithm=ALGORITHM, headers={"cty": CONTENT_TYPE})


def verify_rest_token(token: str) -> tuple[Project, dict]:
    """Return the project and claims of a valid REST token, or raise AuthenticationFailed."""
    try:
        header = jwt.get_unverified_header(token)
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise exceptions.AuthenticationFailed(f"Malformed token: {exc}.") from exc
    if header.get("alg") != ALGORITHM:
        raise exceptions.AuthenticationFailed(f"Token algorithm must be {ALGORITHM}.")
    project = Project.objects.filter(api_key_sid=str(unverified.get("iss", "")), is_active=True).first()
    if project is None:
        raise exceptions.AuthenticationFailed("Unknown API key SID in `iss`.")
    try:
        claims = jwt.decode(
            token, project.api_key_secret, algorithms=[ALGORITHM], options={"require": ["exp", "iss", "jti"]}
        )
    except jwt.ExpiredSignatureError as exc:
        raise exceptions.AuthenticationFailed("Token has expired.") from exc
    except jwt.InvalidSignatureError as exc:
        raise exceptions.AuthenticationFailed("Token signature does not match the API key secret.") from exc
    except jwt.PyJWTError as exc:
        raise exceptions.AuthenticationFailed(f"Invalid token: {exc}.") from exc
    if claims.get("rest_api") is not True:
        raise exceptions.AuthenticationFailed("Token lacks the `rest_api: true` claim.")
    issued = claims.get("iat", time.time())
    if claims["exp"] - issued > MAX_LIFETIME_SECONDS:
        raise exceptions.AuthenticationFailed("Token lifetime exceeds 24 hours.")
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
        if len(parts) == 2 and parts[0].decode().lower() == self.keyword.lower():
            return parts[1].decode()
        return None

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'
