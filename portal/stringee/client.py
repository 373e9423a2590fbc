"""The one HTTP client of Stringee's REST API: timeouts, bounded retries, the `{"r": …}` envelope.

Requests are retried (tenacity, with exponential backoff) only when Stringee could not answer:
no connection, no answer in time, 429 or a 5xx. A 4xx is an answer and is never retried. Every
failure becomes a StringeeError naming the reason. Tokens travel in the X-STRINGEE-AUTH header
(never in the URL, which proxies and logs keep) and are never logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import httpx
from django.conf import settings
from tenacity import (
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
)

from portal.stringee.errors import StringeeError
from portal.stringee.tokens import account_token

logger = logging.getLogger(__name__)


class _TryAgain(Exception):
    """Stringee answered 429 or 5xx: worth another try."""

    def __init__(self, status: int) -> None:
        self.status = status
        super().__init__(f"HTTP {status}")


def _worth_retrying(exc: BaseException) -> bool:
    return isinstance(exc, _TryAgain | httpx.TransportError)


def is_connected() -> bool:
    """Whether an account is configured (STRINGEE_ACCOUNT_SID and STRINGEE_ACCOUNT_KEY)."""
    return bool(settings.STRINGEE_ACCOUNT_SID and settings.STRINGEE_ACCOUNT_KEY)


class StringeeClient:
    """Requests to STRINGEE_API_URL signed by `token` (by default the account's token; a
    project's token needs no account connected)."""

    def __init__(
        self, token: Callable[[], str] = account_token, attempts: int | None = None
    ) -> None:
        if token is account_token and not is_connected():
            raise StringeeError("not_connected")
        self.token = token
        # Requests that must not be repeated (a callout rings someone) are tried once.
        self.attempts = max(1, settings.STRINGEE_ATTEMPTS if attempts is None else attempts)
        self.http = httpx.Client(
            base_url=settings.STRINGEE_API_URL,
            timeout=httpx.Timeout(
                settings.STRINGEE_READ_TIMEOUT, connect=settings.STRINGEE_CONNECT_TIMEOUT
            ),
            headers={"Accept": "application/json"},
            follow_redirects=False,
        )

    def __enter__(self) -> StringeeClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.http.close()

    def request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """Stringee's reply (the whole envelope) to one request, with retries; or StringeeError."""
        retrying = Retrying(
            stop=stop_after_attempt(self.attempts),
            wait=wait_exponential(multiplier=settings.STRINGEE_RETRY_WAIT, max=10),
            retry=retry_if_exception(_worth_retrying),
            reraise=True,
        )
        try:
            response = retrying(self._send, method, path, **kwargs)
        except _TryAgain as exc:
            logger.warning("stringee %s %s: gave up after HTTP %s", method, path, exc.status)
            raise StringeeError("busy" if exc.status in (429, 503) else "fault") from None
        except httpx.TransportError as exc:
            logger.warning("stringee %s %s: no answer (%s)", method, path, type(exc).__name__)
            raise StringeeError("no_answer") from None
        return _envelope(response)

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = self.http.request(
            method, path, headers={"X-STRINGEE-AUTH": self.token()}, **kwargs
        )
        logger.info("stringee %s %s: %s", method, path, response.status_code)
        if response.status_code == 429 or response.status_code >= 500:
            raise _TryAgain(response.status_code)
        return response


def _envelope(response: httpx.Response) -> dict[str, Any]:
    """The reply's JSON when Stringee says `r == 0`; a StringeeError naming why otherwise."""
    if response.status_code in (401, 403):
        raise StringeeError("bad_credentials")
    if response.status_code == 404:
        raise StringeeError("not_found")
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        logger.warning(
            "stringee: HTTP %s with a body that is not a JSON object", response.status_code
        )
        raise StringeeError("bad_reply")
    message = str(body.get("message") or "")[:200]
    if response.status_code >= 400:
        logger.warning("stringee: refused with HTTP %s", response.status_code)
        raise StringeeError("refused", message)
    if body.get("r") != 0:
        logger.warning("stringee: refused with r = %s", body.get("r"))
        if _about_credentials(message):
            raise StringeeError("bad_credentials", message)
        raise StringeeError("refused", message)
    return body


def _about_credentials(message: str) -> bool:
    """Stringee answers a bad token with a non-zero `r` whose message speaks of the token."""
    words = message.lower()
    return any(word in words for word in ("token", "auth", "signature", "credential"))
