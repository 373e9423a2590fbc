"""The floors and the peer: what the webhooks' work costs at least, and what a hand-written
answer_url costs, served by the same gunicorn, settings and middleware as the webhooks.

- `floor_answer`: a DRF view with the webhooks' lean settings that parks a constant decision in
  Redis exactly as the answer_url does (`routing.decisions.park_decision`: the same keys, one
  Lua script call, before the reply), then returns a constant SCCO. The answer_url's promise
  "a decision it replied with is never lost" costs at least this; what the answer_url costs
  above it is reading the project and token, the signature, the input, routing, the SCCO check
  and the access line.
- `floor_event`: a DRF view that stores the raw event body with one autocommit INSERT into an
  indexed table (`bench_floor_event`, created by `ensure_floor_table`, never by a migration of
  the portal), then answers 200. The least that "every 2xx event is committed" can cost.
- `peer_answer`: the answer_url people write by hand, as Stringee's samples do: on every call
  look up the called number's owner, then the owner's first rule, in the database, and build the
  SCCO from it (no cache, no token or signature check, no parking).
"""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.response import Response

from bench.views import BASELINE_SCCO
from portal.webhooks.views import WebhookView
from routing.decisions import park_decision
from routing.links import call_from_params

FLOOR_EVENT_TABLE = "bench_floor_event"

# A decision shaped as routing.engine.Decision.as_log() gives it, of the same size as a matched
# phone → app call's.
FLOOR_DECISION = {
    "rule": 1,
    "rule_name": "Rule 1",
    "scco": BASELINE_SCCO,
    "reason": "rule 1 matched",
}


class FloorAnswerView(WebhookView):
    """Park a constant decision as the answer_url does, then reply with a constant SCCO."""

    webhook_methods = ("GET",)

    def get(self, request: Request, project_id: int, token: str) -> Response:
        params = request._request.GET.dict()
        park_decision(project_id, call_from_params(params, timezone.now()), params, FLOOR_DECISION)
        return Response(BASELINE_SCCO)


class FloorEventView(WebhookView):
    """Store the raw body with one autocommit INSERT, then 200."""

    webhook_methods = ("POST",)

    def post(self, request: Request, project_id: int, token: str) -> Response:
        body = request._request.body.decode()
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {FLOOR_EVENT_TABLE} (project_id, body) VALUES (%s, %s)",
                [project_id, body],
            )
        return Response({"ok": True})


def peer_answer(request: HttpRequest, project_id: int, token: str) -> JsonResponse:
    """A hand-written answer_url: the called number's owner and its first rule, read from the
    database on every call, made into an SCCO."""
    called, caller = request.GET.get("to", ""), request.GET.get("from", "")
    with connection.cursor() as cursor:
        if request.GET.get("fromInternal") == "true":  # an app user calls: the URL's project
            cursor.execute(
                "SELECT id FROM portal_project WHERE stringee_project_id = %s", [project_id]
            )
        else:  # a phone calls one of the numbers: its owner
            cursor.execute(
                "SELECT project_id FROM portal_virtualnumber WHERE number = %s", ["+" + called]
            )
        owner = cursor.fetchone()
        rule = None
        if owner is not None and owner[0] is not None:
            cursor.execute(
                "SELECT destination_kind, destination_number, u.user_id, message_text"
                " FROM routing_routingrule r LEFT JOIN portal_appuser u"
                " ON u.id = r.destination_user_id"
                " WHERE r.project_id = %s AND r.enabled ORDER BY r.priority, r.id LIMIT 1",
                [owner[0]],
            )
            rule = cursor.fetchone()
    return JsonResponse(_scco(caller, called, request.GET.get("fromInternal") == "true", rule),
                        safe=False)  # fmt: skip


def _scco(caller: str, called: str, from_app: bool, rule: tuple | None) -> list[dict]:
    kind, number, user_id, message = rule or ("message", "", None, "")
    source = {"type": "internal" if from_app else "external", "number": caller, "alias": caller}
    if kind == "user" and user_id:
        target = {"type": "internal", "number": user_id, "alias": called}
    elif kind == "number" and number:
        target = {"type": "external", "number": number.lstrip("+"), "alias": called}
    elif from_app:  # app to app, as the samples do
        target = {"type": "internal", "number": called, "alias": called}
    else:
        return [{"action": "talk", "text": message or "The number you called is not available"}]
    return [{"action": "connect", "from": source, "to": target, "customData": ""}]


def ensure_floor_table() -> None:
    """Create the floor_event's table and its index if missing (PostgreSQL or SQLite)."""
    key = (
        "id BIGSERIAL PRIMARY KEY"
        if connection.vendor == "postgresql"
        else "id INTEGER PRIMARY KEY AUTOINCREMENT"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {FLOOR_EVENT_TABLE} ({key}, project_id INTEGER NOT NULL,"
            " body TEXT NOT NULL, received_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)"
        )
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {FLOOR_EVENT_TABLE}_project"
            f" ON {FLOOR_EVENT_TABLE} (project_id, id)"
        )


def stored_floor_events() -> int:
    """Rows the floor_event stored (0 before its table exists)."""
    if FLOOR_EVENT_TABLE not in connection.introspection.table_names():
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {FLOOR_EVENT_TABLE}")
        return int(cursor.fetchone()[0])


floor_answer = FloorAnswerView.as_view()
floor_event = FloorEventView.as_view()
