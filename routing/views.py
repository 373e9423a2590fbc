"""The answer_url and the IVR / on-fail / ring-group callbacks: parse, ask the engine, return the SCCO.

These never answer 500: whatever goes wrong after the project is known, the caller hears the
project's fallback message and a RoutingErrorLog row tells staff why.
"""

import json
import logging
from collections.abc import Callable

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from calls.routing_log import remember_decision
from portal.errors import error_response, webhook_methods
from portal.models import Project
from portal.webhooks import WebhookRejected, authorize
from routing import engine
from routing.cache import route_entry
from routing.destinations import Call, fallback_scco
from routing.links import WebhookLinks, call_from_params
from routing.models import RoutingErrorLog
from routing.scco import validate_scco
from routing.state import LiveState

logger = logging.getLogger(__name__)

Decide = Callable[[engine.Table, Call, WebhookLinks, LiveState], engine.Decision]


def _answer(request: HttpRequest, project_id: int, token: str, params: dict, decide: Decide) -> JsonResponse:
    """Authenticate the URL, run `decide`, and always return a valid SCCO (fallback on any error)."""
    try:
        project, table = route_entry(project_id)
    except Exception:  # no project and table to route with: say so, never a bare 500
        logger.exception("Could not load routing for project %s", project_id)
        return error_response(503, "routing_unavailable", "Routing data cannot be loaded; try again.")
    try:
        authorize(project, project_id, token)
    except WebhookRejected as rejected:
        return error_response(rejected.status, rejected.code, rejected.detail)
    call = call_from_params(params, timezone.now())
    try:
        decision = decide(table, call, WebhookLinks(project), LiveState())
        validate_scco(decision.scco)
    except Exception as exc:  # the caller must hear something, whatever broke
        logger.exception("Routing failed for project %s", project.pk)
        decision = engine.Decision(
            fallback_scco(project.fallback_message), f"routing error: {exc!r}", matched=False
        )
    if not decision.matched:
        _log_error(project, call, params, decision.reason)
    remember_decision(project.pk, call.call_id, decision.as_log())
    return JsonResponse(decision.scco, safe=False)


def _log_error(project: Project, call: Call, params: dict, reason: str) -> None:
    try:
        RoutingErrorLog.objects.create(project=project, call_id=call.call_id, params=params, error=reason)
    except Exception:  # a broken database must not turn the fallback into a 500
        logger.exception("Could not log a routing error for project %s", project.pk)


@csrf_exempt
@webhook_methods("GET")
def answer_url(request: HttpRequest, project_id: int, token: str) -> JsonResponse:
    """Stringee asks how to route a new call; reply with the SCCO of the first matching rule."""
    return _answer(request, project_id, token, request.GET.dict(), engine.route)


def _callback(request: HttpRequest) -> tuple[dict, dict]:
    """The JSON body Stringee POSTed, and the query parameters (call id from either)."""
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        body = {}
    body = body if isinstance(body, dict) else {}
    params = request.GET.dict()
    params.setdefault("callId", str(body.get("callId") or body.get("call_id") or ""))
    return body, params


@csrf_exempt
@webhook_methods("POST")
def ivr(request: HttpRequest, project_id: int, token: str, menu_id: int) -> JsonResponse:
    """The caller pressed keys (or none) in an IVR menu; reply with where that leads."""
    body, params = _callback(request)
    digits = str(body.get("dtmf") or body.get("digits") or "")
    try:
        attempt = max(1, int(params.get("attempt", 1)))
    except ValueError:
        attempt = 1

    def decide(table, call, links, state):
        return engine.ivr_step(table, call, menu_id, digits, attempt, links, state)

    return _answer(request, project_id, token, {**params, "dtmf": digits}, decide)


@csrf_exempt
@webhook_methods("POST")
def on_fail(request: HttpRequest, project_id: int, token: str, rule_id: int) -> JsonResponse:
    """A rule's connect could not reach the callee (continueOnFail); reply with its on-fail SCCO."""
    _, params = _callback(request)

    def decide(table, call, links, state):
        return engine.on_fail_step(table, call, rule_id, links)

    return _answer(request, project_id, token, params, decide)


def _count(params: dict, name: str) -> int:
    try:
        return max(0, int(params.get(name, 0)))
    except ValueError:
        return 0


@csrf_exempt
@webhook_methods("POST")
def ring(request: HttpRequest, project_id: int, token: str, group_id: int) -> JsonResponse:
    """A ring group member did not answer (continueOnFail); reply with the next member or the final step."""
    _, params = _callback(request)
    tried, start = _count(params, "next"), _count(params, "start")

    def decide(table, call, links, state):
        return engine.ring_step(table, call, group_id, tried, start, links, state)

    return _answer(request, project_id, token, params, decide)
