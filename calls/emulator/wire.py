"""Stringee's side of the HTTP conversation: GET the answer_url, POST callbacks and events, sign.

Requests go over real HTTP with httpx, to a running portal or, through a transport such as
httpx.WSGITransport, to one in the same process. Each is signed as Stringee signs (contract
§4.1: base64 HMAC-SHA1 of the Request-URI of a GET, of the raw body of a POST, keyed by the
project's signing secret) when a secret is given. Every exchange is returned as plain JSON for
the transcript; nothing here raises on a refused or failed request: the caller decides.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

import httpx

from calls.emulator.types import Portal

USER_AGENT = "Stringee-call-emulator/1"
MAX_SHOWN = 4000  # characters of a reply kept in the transcript


def signature(secret: str, data: bytes) -> str:
    """X-STRINGEE-SIGNATURE: base64(HMAC-SHA1(secret, data))."""
    return base64.b64encode(hmac.new(secret.encode(), data, hashlib.sha1).digest()).decode()


def with_query(url: str, params: dict[str, str]) -> str:
    """`url` with `params` added to its query string, encoded as Stringee encodes (%20)."""
    query = urlencode(params, quote_via=quote)
    parts = urlsplit(url)
    joined = f"{parts.query}&{query}" if parts.query else query
    return urlunsplit((parts.scheme, parts.netloc, parts.path, joined, ""))


class Wire:
    """One call's HTTP client towards the portal."""

    def __init__(
        self, portal: Portal, *, transport: httpx.BaseTransport | None = None, timeout: float = 10
    ):
        self.portal = portal
        self.client = httpx.Client(
            transport=transport,
            timeout=timeout,
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT},
        )

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Wire:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def rebased(self, url: str) -> str:
        """`url` sent to the portal under test: its path and query on `base_url`'s origin."""
        base, parts = urlsplit(self.portal.base_url), urlsplit(url)
        return urlunsplit((base.scheme, base.netloc, parts.path, parts.query, ""))

    def shown(self, url: str) -> str:
        """`url` as the transcript shows it: the secrets in `Portal.hide` blanked out."""
        for secret in self.portal.hide:
            if secret:
                url = url.replace(secret, "<token>")
        return url

    def get(self, url: str) -> dict[str, Any]:
        request = self.client.build_request("GET", self.rebased(url))
        if self.portal.signing_secret:
            request.headers["X-STRINGEE-SIGNATURE"] = signature(
                self.portal.signing_secret, request.url.raw_path
            )
        return self._send(request, sent=None)

    def post(self, url: str, body: dict[str, Any]) -> dict[str, Any]:
        raw = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json"}
        if self.portal.signing_secret:
            headers["X-STRINGEE-SIGNATURE"] = signature(self.portal.signing_secret, raw)
        request = self.client.build_request("POST", self.rebased(url), content=raw, headers=headers)
        return self._send(request, sent=body)

    def _send(self, request: httpx.Request, sent: dict[str, Any] | None) -> dict[str, Any]:
        """The exchange: method, url (shown), body sent, status (None: no answer), reply, error,
        milliseconds taken."""
        exchange: dict[str, Any] = {
            "method": request.method,
            "url": self.shown(str(request.url)),
            "sent": sent,
            "status": None,
            "reply": None,
            "error": "",
            "ms": 0,
        }
        began = time.monotonic()
        try:
            response = self.client.send(request)
        except httpx.TimeoutException:
            exchange["error"] = "timeout"
        except httpx.HTTPError as error:
            exchange["error"] = f"{type(error).__name__}: {error}"
        else:
            exchange["status"] = response.status_code
            try:
                exchange["reply"] = response.json()
            except ValueError:
                exchange["reply"] = response.text[:MAX_SHOWN]
        exchange["ms"] = round((time.monotonic() - began) * 1000)
        return exchange
