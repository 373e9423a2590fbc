"""A real local HTTP server playing Stringee's REST API (pytest-httpserver): it keeps an account's
numbers, checks every request's token (the account token, decoded with the account key; for
callouts, the call log and recordings a project's token, decoded with the secret of the project it
names), pages GET /v1/number, applies PUT /v1/number/{id}, places callouts (POST
/v1/call2/callout), creates projects (POST /v1/project), serves a call log (GET /v1/call/log) and
recordings' audio (GET /v1/call/recording/{id}, or any path a test gives audio) with `Range`
(206) and redirects. Tests make it fail on purpose: an HTTP status for the next requests,
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


# Paths signed with a project's token (the others with the account's).
PROJECT_PATHS = ("/v1/call2/callout", "/v1/call/log")


@dataclass
class FakeStringee:
    numbers: dict[int, dict[str, Any]] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    fail_with: list[int] = field(default_factory=list)  # statuses answered first, one each
    delay: float = 0.0
    refuse_message: str = ""  # answer r != 0 with this message
    project_keys: dict[str, str] = field(default_factory=dict)  # API key SID → secret
    call_log: list[dict[str, Any]] = field(default_factory=list)

    def add_project(self, api_key_sid: str, api_key_secret: str) -> None:
        self.project_keys[api_key_sid] = api_key_secret

    def add_call(self, **fields: Any) -> dict[str, Any]:
        """A call-log row (version 2 fields); times in ms, `created` in s."""
        start = fields.get("start_time", 1_765_000_000_000)
        row = {
            "id": f"call-vn-1-{len(self.call_log):06d}",
            "uuid": f"uuid-{len(self.call_log):06d}",
            "project_id": 777,
            "from_user_id": "",
            "from_number": "84912345678",
            "from_alias": "84912345678",
            "to_number": "842473000111",
            "from_internal": 0,
            "to_internal": 0,
            "start_time": start,
            "answer_time": 0,
            "stop_time": start + 30_000,
            "amount": 0,
            "created": start // 1000,
            "recorded": 0,
            **fields,
        }
        self.call_log.append(row)
        return row

    def call_log_requests(self) -> list[Seen]:
        return [r for r in self.seen if r.path == "/v1/call/log"]

    calls: list[dict[str, Any]] = field(default_factory=list)  # callouts placed
    projects: list[dict[str, Any]] = field(default_factory=list)  # projects created

    def knows_project(self, api_key_sid: str, secret: str) -> None:
        """Stringee holds this project's API key (its tokens are then accepted)."""
        self.add_project(api_key_sid, secret)

    def callouts(self) -> list[Seen]:
        return [r for r in self.seen if r.path == "/v1/call2/callout"]

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
        project_api = request.path in PROJECT_PATHS
        try:
            header = jwt.get_unverified_header(token)
            claims = jwt.decode(token, self._key_for(token, project_api), algorithms=["HS256"])
        except jwt.PyJWTError:
            header, claims = {}, {}
        body = request.get_json(silent=True)
        query = {
            name: (values if len(values) > 1 or name.endswith("[]") else values[0])
            for name, values in request.args.lists()
        }
        self.seen.append(
            Seen(
                request.method,
                request.path,
                query,
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
        if request.path == "/v1/call/log":
            if claims.get("iss") not in self.project_keys or claims.get("rest_api") is not True:
                return _json({"r": 401, "message": "Invalid access token"}, 401)
            return self._call_log(request)
        if project_api:
            return self._callout(request.method, claims, body)
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
        if request.method == "POST" and request.path == "/v1/project":
            return self._project_create(body)
        return _json({"r": 404, "message": "Not found"}, 404)

    def _key_for(self, token: str, project_api: bool) -> str:
        """The account key; for the project-level API, the secret of the project the token
        names (unknown project: no key, so the token fails)."""
        if not project_api:
            return ACCOUNT_KEY
        issuer = jwt.decode(token, options={"verify_signature": False}).get("iss", "")
        return self.project_keys.get(str(issuer), "no such project key, 0123456789abcdef")

    def _callout(self, method: str, claims: dict[str, Any], body: Any) -> Response:
        """POST /v1/call2/callout with a project's token: `from` an endpoint, `to` an array."""
        if claims.get("iss") not in self.project_keys or claims.get("rest_api") is not True:
            return _json({"r": 401, "message": "Invalid access token"}, 401)
        if method != "POST" or not isinstance(body, dict):
            return _json({"r": 400, "message": "Bad request"}, 400)
        if self.refuse_message:
            return _json({"r": 3, "message": self.refuse_message})
        if not isinstance(body.get("to"), list) or not isinstance(body.get("from"), dict):
            return _json({"r": 3, "message": "TO_TYPE_INVALID"})
        if not body.get("answer_url") and not body.get("actions"):
            return _json({"r": 1, "message": "ANSWER_URL_EMPTY"})
        call_id = f"call-vn-1-TEST{len(self.calls) + 1:04d}-1700000000000"
        self.calls.append({"call_id": call_id, **body})
        return _json({"r": 0, "message": "Call success", "call_id": call_id})

    def _project_create(self, body: Any) -> Response:
        """POST /v1/project with the account token: a new project, its id and API key."""
        if not isinstance(body, dict) or not body.get("name"):
            return _json({"r": 2, "message": "name is required"})
        number = len(self.projects) + 1
        data = {
            "id": 90000 + number,
            "name": body["name"],
            "answer_url": body.get("answer_url", ""),
            "callback_url": body.get("callback_url", ""),
            "api_key_sid": f"SK.created.{number}",
            "api_key": f"created-secret-{number}-0123456789abcdef",
        }
        self.projects.append(data)
        return _json(
            {"r": 0, "account_sid": ACCOUNT_SID, "message": "Create project success", "data": data}
        )

    def _call_log(self, request: Request) -> Response:
        """Version 2: calls created in the asked span, sorted by (start_time, id), `limit` ≤ 100
        of them after `search_after[]`, and the sort values of the last one."""
        args = request.args
        if args.get("version") != "2" or not 0 < int(args.get("limit", 10)) <= 100:
            return _json({"r": 2, "message": "Bad request"}, 400)
        low = int(args.get("from_created_time", 0))
        high = int(args.get("to_created_time", 2**40))
        rows = sorted(
            (row for row in self.call_log if low <= row["created"] <= high),
            key=lambda row: (row["start_time"], row["id"]),
        )
        after = args.getlist("search_after[]")
        if after:
            cursor = (int(after[0]), after[1])
            rows = [row for row in rows if (row["start_time"], row["id"]) > cursor]
        chunk = rows[: int(args.get("limit", 10))]
        last = [chunk[-1]["start_time"], chunk[-1]["id"]] if chunk else []
        return _json(
            {
                "r": 0,
                "message": "Success",
                "data": {"calls": chunk, "search_after": last, "totalCalls": len(rows)},
            }
        )

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
