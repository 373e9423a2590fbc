"""Recordings' audio from Stringee: which links the portal may fetch, and the fetch itself.

A recording's link arrives in a webhook, so anyone who can post one could aim the portal at any
address (a Redis port on loopback, a cloud metadata service). The portal therefore fetches audio
only from Stringee's own hosts (docs/security.md): the host of STRINGEE_API_URL (its scheme,
host and port exactly, so tests and a staging Stringee can be local), and the hosts of
STRINGEE_RECORDING_HOSTS over https. A link with a user name or password is refused. A host
matched through a leading dot (`.stringee.com`) must resolve to public addresses only; hosts the
operator names exactly are trusted as named. Redirects are followed by hand, each hop checked by
the same rules, at most MAX_REDIRECTS of them.

The project's REST token travels in the X-STRINGEE-AUTH header only (an http→https redirect
would drop a token carried in the URL, and URLs end up in logs); it is never logged nor passed
on to the browser. The audio is streamed (httpx) with short connect/read timeouts, forwarding a
single `Range` so that seeking works.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import quote, urljoin, urlsplit

import httpx
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from portal.models import Project
from portal.stringee.tokens import project_token

logger = logging.getLogger(__name__)

MAX_REDIRECTS = 3
CHUNK_BYTES = 64 * 1024
RECORDING_PATH = "/v1/call/recording/{}"  # contract §5 [inferred]
# One byte range (`bytes=0-`, `bytes=100-199`, `bytes=-500`): the only kind forwarded.
ONE_RANGE = re.compile(r"bytes=(\d{1,15})?-(\d{1,15})?")
# The headers of Stringee's answer that the browser gets (nothing else, no cookies).
PASSED_HEADERS = ("content-type", "content-length", "content-range", "accept-ranges")

PROBLEMS = {
    "not_stringee": _(
        "This recording's link is not on Stringee's servers; it cannot be played here."
    ),
    "not_connected": _("The project has no Stringee API key, so its recordings cannot be fetched."),
    "processing": _("Stringee is still preparing this recording. Try again in a minute or two."),
    "busy": _("Stringee is busy right now. Try again in a minute."),
    "fault": _("Stringee failed to send this recording. Try again later."),
    "no_answer": _("Stringee did not answer in time. Try again later."),
    "bad_credentials": _(
        "Stringee refused the project's API key; an owner should check it on the project's page."
    ),
    "gone": _("Stringee no longer has this recording."),
    "refused": _("Stringee refused to send this recording."),
    "no_copy": _("The portal's copy of this recording cannot be read."),
}


class RecordingUnavailable(Exception):
    """Why a recording cannot be played now; `str()` is the reason for staff."""

    def __init__(self, code: str, status: int | None = None) -> None:
        self.code = code if code in PROBLEMS else "refused"
        self.status = status  # Stringee's HTTP status, when it answered
        super().__init__(self.code)

    def __str__(self) -> str:
        return str(PROBLEMS[self.code])

    @property
    def retry(self) -> bool:
        """Whether trying again later may work (Stringee busy, processing or unreachable)."""
        return self.code in ("processing", "busy", "fault", "no_answer")


def recording_download_url(recording_id: str) -> str:
    """The download link of a recording Stringee named by its id only (contract §5)."""
    return settings.STRINGEE_API_URL + RECORDING_PATH.format(quote(recording_id, safe=""))


def _api_origin() -> tuple[str, str, int]:
    parts = urlsplit(settings.STRINGEE_API_URL)
    return parts.scheme, (parts.hostname or "").lower(), _port(parts.scheme, parts.port)


def _port(scheme: str, port: int | None) -> int:
    return port if port is not None else (443 if scheme == "https" else 80)


def _listed(host: str) -> str | None:
    """How `host` is on STRINGEE_RECORDING_HOSTS: "exact", "domain" (a leading dot), or None."""
    for entry in settings.STRINGEE_RECORDING_HOSTS:
        entry = entry.strip().lower()
        if not entry:
            continue
        if entry.startswith("."):
            if host == entry[1:] or host.endswith(entry):
                return "domain"
        elif host == entry:
            return "exact"
    return None


def link_problem(url: str) -> str | None:
    """Why the portal will not fetch `url` ("not_stringee"), or None when its form is fine.

    Checks the form only (scheme, user info, host, port); `recording_open` also checks the
    addresses a host resolves to, and every redirect.
    """
    try:
        return None if _checked(url) else "not_stringee"
    except ValueError:
        return "not_stringee"


def _checked(url: str) -> str | None:
    """`url` as the portal would fetch it (http upgraded to https on a listed host), how it
    matched ("api", "exact", "domain"), or None when it may not be fetched."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host or "@" in parts.netloc:
        return None
    port = parts.port  # ValueError on a port that is not a number
    if (parts.scheme, host, _port(parts.scheme, port)) == _api_origin():
        return "api"
    listed = _listed(host)
    if listed is None or port not in (None, 443):
        return None
    return listed


def _fetchable(url: str) -> tuple[str, str] | None:
    """(url to request, how it matched) or None; http on a listed host becomes https."""
    try:
        how = _checked(url)
    except ValueError:
        return None
    if how is None:
        return None
    if how != "api" and url.startswith("http:"):
        url = "https:" + url[len("http:") :]
    return url, how


def _public_only(host: str) -> bool:
    """Whether every address `host` resolves to is a public one (no loopback, private,
    link-local, reserved or multicast address)."""
    try:
        infos = socket.getaddrinfo(host, 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        return False
    addresses = {str(info[4][0]).split("%", 1)[0] for info in infos}
    return bool(addresses) and all(ipaddress.ip_address(a).is_global for a in addresses)


def forwarded_range(value: str | None) -> str | None:
    """The browser's `Range` if it is one plain byte range; anything else is dropped (the whole
    file is sent instead, which every player accepts)."""
    if not value:
        return None
    match = ONE_RANGE.fullmatch(value.strip())
    if match is None or match.groups() == (None, None):
        return None
    return value.strip()


@dataclass
class AudioStream:
    """Stringee's answer, still open: its status (200, 206 or 416), the headers passed on, and
    the audio piece by piece. Close it (or read it to the end) to free the connection."""

    status: int
    headers: dict[str, str]
    _response: httpx.Response
    _client: httpx.Client
    _closed: bool = field(default=False)

    def chunks(self, *, strict: bool = False) -> Iterator[bytes]:
        """The audio; when Stringee stops halfway, a player just stops, while a copy
        (`strict`) fails with RecordingUnavailable rather than keep half a file."""
        try:
            yield from self._response.iter_bytes(CHUNK_BYTES)
        except httpx.HTTPError as exc:
            logger.warning("recording: the audio stopped (%s)", type(exc).__name__)
            if strict:
                raise RecordingUnavailable("no_answer") from None
        finally:
            self.close()

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._response.close()
            self._client.close()


def recording_open(*, project: Project, url: str, range_header: str | None = None) -> AudioStream:
    """Ask Stringee for a recording's audio with `project`'s token; the open answer, or
    RecordingUnavailable saying why not (never a token, never the link itself)."""
    if not (project.api_key_sid and project.api_key_secret):
        raise RecordingUnavailable("not_connected")
    client = httpx.Client(
        timeout=httpx.Timeout(
            settings.STRINGEE_RECORDING_READ_TIMEOUT,
            connect=settings.STRINGEE_RECORDING_CONNECT_TIMEOUT,
        ),
        follow_redirects=False,
        trust_env=False,  # no proxy from the environment sees the token
    )
    headers = {"X-STRINGEE-AUTH": project_token(project), "Accept": "audio/*, */*;q=0.5"}
    wanted = forwarded_range(range_header)
    if wanted:
        headers["Range"] = wanted
    try:
        response = _follow(client, url, headers)
    except RecordingUnavailable:
        client.close()
        raise
    except httpx.TransportError as exc:
        client.close()
        logger.warning("recording: Stringee did not answer (%s)", type(exc).__name__)
        raise RecordingUnavailable("no_answer") from None
    status = response.status_code
    if status in (200, 206, 416):
        passed = {
            name: response.headers[name] for name in PASSED_HEADERS if name in response.headers
        }
        return AudioStream(status, passed, response, client)
    response.close()
    client.close()
    logger.warning("recording: Stringee answered HTTP %s", status)
    raise RecordingUnavailable(_code_of(status), status)


def _follow(client: httpx.Client, url: str, headers: dict[str, str]) -> httpx.Response:
    """GET `url`, following at most MAX_REDIRECTS redirects, each to a checked host."""
    for _hop in range(MAX_REDIRECTS + 1):
        checked = _fetchable(url)
        if checked is None:
            raise RecordingUnavailable("not_stringee")
        url, how = checked
        if how == "domain" and not _public_only(urlsplit(url).hostname or ""):
            logger.warning("recording: a Stringee host resolved to a private address; refused")
            raise RecordingUnavailable("not_stringee")
        request = client.build_request("GET", url, headers=headers)
        response = client.send(request, stream=True)
        if response.status_code not in (301, 302, 303, 307, 308):
            return response
        location = response.headers.get("location", "")
        response.close()
        if not location:
            raise RecordingUnavailable("refused", 502)
        url = urljoin(url, location)
    logger.warning("recording: more than %d redirects; refused", MAX_REDIRECTS)
    raise RecordingUnavailable("refused")


def _code_of(status: int) -> str:
    if status == 404:
        return "processing"
    if status == 410:
        return "gone"
    if status == 429:
        return "busy"
    if status in (401, 403):
        return "bad_credentials"
    if status >= 500:
        return "fault"
    return "refused"


def recording_download(*, project: Project, url: str) -> Iterator[bytes]:
    """The whole audio of a recording, piece by piece (for the worker's copy); or
    RecordingUnavailable before the first piece."""
    stream = recording_open(project=project, url=url)
    if stream.status != 200:
        stream.close()
        raise RecordingUnavailable("refused", stream.status)
    return stream.chunks(strict=True)
