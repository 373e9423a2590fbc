"""The JWTs Stringee's REST API takes (contract §4.2): the account token (numbers, projects) and a
project's token (callouts, call log, recordings).

Both are HS256 with the header `cty: stringee-api;v=1` and the claims `jti`, `iss`, `exp` and
`rest_api: true`; they differ in who signs: the account SID and key, or the project's API key SID
and secret. A token is made for each request and lives TOKEN_SECONDS.
"""

from __future__ import annotations

import time

import jwt
from django.conf import settings

from portal.models import Project

TOKEN_SECONDS = 3600
HEADERS = {"cty": "stringee-api;v=1"}


def _rest_token(issuer: str, key: str, now: float | None = None) -> str:
    issued = int(now if now is not None else time.time())
    claims = {
        "jti": f"{issuer}-{issued}",
        "iss": issuer,
        "exp": issued + TOKEN_SECONDS,
        "rest_api": True,
    }
    return jwt.encode(claims, key, algorithm="HS256", headers=HEADERS)


def account_token(now: float | None = None) -> str:
    """The account's REST token (STRINGEE_ACCOUNT_SID signed with STRINGEE_ACCOUNT_KEY)."""
    return _rest_token(settings.STRINGEE_ACCOUNT_SID, settings.STRINGEE_ACCOUNT_KEY, now)


def project_token(project: Project, now: float | None = None) -> str:
    """A project's REST token (its API key SID signed with its API key secret)."""
    return _rest_token(project.api_key_sid, project.api_key_secret, now)
