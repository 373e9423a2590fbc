"""A real local HTTP server playing Stringee's REST API (pytest-httpserver): it keeps an account's
numbers, checks every request's account token (decoded with the account key), pages
GET /v1/number and applies PUT /v1/number/{id}. It also serves recordings' audio (GET
/v1/call/recording/{id}, or any path a test gives audio), checking the project's token, with
`Range` (206) and redirects. Tests make it fail on purpose: an HTTP status for the next requests,
a slow answer, a non-zero `r`."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

import jwt
from werkzeug import Request, Response

ACCOUNT_SID = "AC.test.0123456789"
ACCOUNT_KEY = "account-key-for-tests-0123456789abcdef"


@dataclass
class Seen:
    """One request as the fake received it."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    header: dict[str, Any]
    claims: dict[str, Any]
    token: str = ""
    range: str = ""


@dataclass
class FakeStringee:
    numbers: dict[int, dict[str, Any]] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    fail_with: list[int] = field(default_factory=list)  # statuses answered first, one each
    delay: float = 0.0
    refuse_message: str = ""  # answer r != 0 with this message
    project_keys: dict[str, str] = field(default_factory=dict)  # API key SID -> secret
    audio: dict[str, bytes] = field(default_factory=dict)  # path -> a recording's bytes
    redirects: dict[str, str] = field(default_factory=dict)  # path -> Location

    def add_recording(self, path: str, audio: bytes) -> str:
        """Serve `audio` at `path` (to requests signed by a known project's key)."""
        self.audio[path] = audio
        return path

    def add_number(self, number_id: int, phone: str, **fields: Any) -> dict[str, Any]:
        row = {
            "id": number_id,
            "country_code": "84",
            "phone_number": phone.lstrip("+"),
            "voice_enabled": True,
            "sms_enabled": False,
            "sip_trunk": None,
            "project_id": 777,
            "answer_url": "",
            "event_url": "",
            "monthly_price": "5.50",
            "telco_name": "Viettel",
            "project_name": "spare",
            **fields,
        }
        self.numbers[number_id] = row
        return row

    def puts(self) -> list[Seen]:
        return [r for r in self.seen if r.method == "PUT"]

    def __call__(self, request: Request) -> Response:
        token = request.headers.get("X-STRINGEE-AUTH", "")
        try:
            header = jwt.get_unverified_header(token)
            claims = jwt.decode(token, ACCOUNT_KEY, algorithms=["HS256"])
        except jwt.PyJWTError:
            header, claims = {}, {}
        body = request.get_json(silent=True)
        self.seen.append(
            Seen(
                request.method,
                request.path,
                dict(request.args),
                body,
                header,
                claims,
                token,
                request.headers.get("Range", ""),
            )
        )
        if self.delay:
            time.sleep(self.delay)
        if self.fail_with:
            status = self.fail_with.pop(0)
            return _json({"r": status, "message": f"failed with {status}"}, status)
        if request.path in self.audio or request.path in self.redirects:
            return self._recording(request, token)
        if claims.get("iss") != ACCOUNT_SID or claims.get("rest_api") is not True:
            return _json({"r": 401, "message": "Invalid access token"}, 401)
        if self.refuse_message:
            return _json({"r": 2, "message": self.refuse_message})
        if request.method == "GET" and request.path == "/v1/number":
            return self._list(int(request.args.get("page", 1)), int(request.args.get("limit", 10)))
        if request.method == "PUT" and request.path.startswith("/v1/number/"):
            number_id = int(request.path.rsplit("/", 1)[1])
            if number_id not in self.numbers:
                return _json({"r": 404, "message": "Number not found"}, 404)
            self.numbers[number_id].update(body or {})
            return _json({"r": 0, "message": "Success"})
        return _json({"r": 404, "message": "Not found"}, 404)

    def _recording(self, request: Request, token: str) -> Response:
        """A recording's audio for a project's token: whole (200), one range (206), or 416."""
        try:
            issuer = jwt.decode(token, options={"verify_signature": False}).get("iss", "")
            claims = jwt.decode(token, self.project_keys.get(issuer, ""), algorithms=["HS256"])
        except jwt.PyJWTError:
            return _json({"r": 401, "message": "Invalid access token"}, 401)
        if claims.get("rest_api") is not True:
            return _json({"r": 401, "message": "Not a REST token"}, 401)
        if request.path in self.redirects:
            return Response(status=302, headers={"Location": self.redirects[request.path]})
        audio = self.audio[request.path]
        asked = re.fullmatch(r"bytes=(\d*)-(\d*)", request.headers.get("Range", ""))
        if asked is None:
            return Response(audio, content_type="audio/mpeg", headers={"Accept-Ranges": "bytes"})
        first, last = asked.groups()
        start = int(first) if first else max(0, len(audio) - int(last))
        end = min(int(last), len(audio) - 1) if first and last else len(audio) - 1
        if start >= len(audio):
            return Response(status=416, headers={"Content-Range": f"bytes */{len(audio)}"})
        return Response(
            audio[start : end + 1],
            status=206,
            content_type="audio/mpeg",
            headers={
                "Content-Range": f"bytes {start}-{end}/{len(audio)}",
                "Accept-Ranges": "bytes",
            },
        )

    def _list(self, page: int, limit: int) -> Response:
        rows = list(self.numbers.values())
        total_pages = max(1, -(-len(rows) // limit))
        chunk = rows[(page - 1) * limit : page * limit]
        return _json(
            {
                "r": 0,
                "account_sid": ACCOUNT_SID,
                "message": "Success",
                "data": {
                    "numbers": chunk,
                    "totalPages": total_pages,
                    "totalCount": len(rows),
                    "activePage": page,
                },
            }
        )


def _json(body: dict, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")
