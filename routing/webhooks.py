"""The answer_url and the IVR / on-fail / ring-group callbacks: check, parse, ask the engine, return
the SCCO.

Lean DRF views (portal.webhooks.views). Order on every request: the project and its routing table
from the cache door, the URL token, Stringee's signature (over the raw query or body), and only
then the query and body, read as routing.webhook_inputs declares them. These never answer 500:
whatever goes wrong once the project is known, bad input included, the caller hears the
project's fallback message and a RoutingErrorLog row, written in the background
(routing.error_log), tells staff why.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping

from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse
from rest_framework.request import Request
from rest_framework.response import Response

from portal.errors import WebhookRejected
from portal.models import Project
from portal.webhooks.door import authorize
from portal.webhooks.fields import Field, body_schema, parse, query_parameters
from portal.webhooks.signatures import verify_webhook
from portal.webhooks.views import WebhookErrorSerializer, WebhookView, webhook_schema
from routing import engine
from routing.cache import route_entry
from routing.decisions import park_decision
from routing.engine.types import Call, Table
from routing.error_log import error_log
from routing.links import WebhookLinks, call_from_params
from routing.prompts import spoken_fallback
from routing.scco import validate_scco
from routing.scco_schema import scco_response
from routing.state import LiveState
from routing.webhook_inputs import (
    CALL_QUERY,
    CONNECT_FAILED_BODY,
    DTMF_BODY,
    IVR_QUERY,
    RING_QUERY,
    custom_field_params,
)

logger = logging.getLogger(__name__)

SCCO_REPLY = {
    200: OpenApiResponse(
        scco_response(),
        "The SCCO: the actions Stringee runs, in order. Bad input or a routing failure gets the "
        "project's fallback message (a `talk`), logged for staff, never a 5xx error.",
    )
}
ROUTING_503 = {
    503: OpenApiResponse(WebhookErrorSerializer, "routing_unavailable: no data to route with.")
}

Decide = Callable[[engine.Table, Call, WebhookLinks, LiveState], engine.Decision]


def authorized_entry(
    request: Request, stringee_project_id: int, token: str
) -> tuple[Project, Table]:
    """The project and table the URL names, once its token and signature pass; else
    WebhookRejected."""
    try:
        project, table = route_entry(stringee_project_id)
    except Exception:  # no project and table to route with: say so, never a bare 500
        logger.exception("Could not load routing for project %s", stringee_project_id)
        detail = "Routing data cannot be loaded; try again."
        raise WebhookRejected(503, "routing_unavailable", detail) from None
    project = authorize(project, stringee_project_id, token)
    verify_webhook(request._request, project)
    if table is None:  # an active project's entry always carries its table
        raise LookupError(f"project {stringee_project_id} has no routing table")
    return project, table


def read_body(request: Request, fields: Mapping[str, Field]) -> tuple[dict, str]:
    """The callback's JSON body, read as `fields` declares (empty when absent), and what was wrong
    with it."""
    raw = request._request.body
    try:
        body = json.loads(raw) if raw.strip() else {}
    except ValueError:
        return {}, "callback body is not JSON"
    if not isinstance(body, dict):
        return {}, "callback body is not a JSON object"
    values, wrong = parse(fields, body)
    return ({}, f"invalid callback body: {wrong}") if wrong else (values, "")


def read_query(
    query: Mapping[str, str], fields: Mapping[str, Field], problem: str = ""
) -> tuple[dict, str]:
    """The call's parameters, read as `fields` declares; as received (for the log) when they
    are not valid."""
    values, wrong = parse(fields, query)
    if wrong:
        return dict(query), problem or f"invalid query: {wrong}"
    return {**query, **values}, problem


def routed(project: Project, table: Table, params: dict, problem: str, decide: Decide) -> Response:
    """Run `decide` (unless the input was refused) and always return a valid SCCO (fallback on any
    error)."""
    call = call_from_params(params, timezone.now())
    if problem:  # refused input is never routed on
        decision = engine.Decision(spoken_fallback(project), problem, matched=False)
    else:
        decision = _decided(project, table, call, decide)
    if not decision.matched:
        _log_error(project, call, params, decision.reason)
    park_decision(project.pk, call, params, decision.as_log())
    return Response(decision.scco)


def _decided(project: Project, table: Table, call: Call, decide: Decide) -> engine.Decision:
    try:
        decision = decide(table, call, WebhookLinks(project), LiveState())
        validate_scco(decision.scco)
    except Exception as exc:  # the caller must hear something, whatever broke
        logger.exception("Routing failed for project %s", project.pk)
        decision = engine.Decision(
            spoken_fallback(project), f"routing error: {exc!r}", matched=False
        )
    return decision


def _log_error(project: Project, call: Call, params: dict, reason: str) -> None:
    try:  # queued, not written here: a hung database must not delay the caller's fallback
        error_log.record(project_id=project.pk, call_id=call.call_id, params=params, error=reason)
    except Exception:  # whatever breaks, the caller still gets the fallback, not a 500
        logger.exception("Could not log a routing error for project %s", project.pk)


def _with_call_id(params: dict, body: Mapping) -> dict:
    """The call id from the query, else from the body Stringee posted."""
    if not params.get("callId"):
        params["callId"] = str(body.get("callId") or body.get("call_id") or "")
    return params


class AnswerUrlView(WebhookView):
    """Stringee asks how to route a new call; reply with the SCCO of the first matching rule."""

    webhook_methods = ("GET",)

    @webhook_schema(
        summary="answer_url: how to route a new call",
        description=(
            "Stringee GETs this at the start of every call of the project (paste it as the "
            "project's or a number's answer_url). App calls carry from, to, fromInternal=true, "
            "userId, projectId, custom and callId; phone calls to a number carry from, to, "
            "fromInternal=false and uuid."
        ),
        parameters=query_parameters(CALL_QUERY),
        responses={**SCCO_REPLY, **ROUTING_503},
    )
    def get(self, request: Request, stringee_project_id: int, token: str) -> Response:
        project, table = authorized_entry(request, stringee_project_id, token)
        params, problem = read_query(request._request.GET.dict(), CALL_QUERY)
        return routed(project, table, params, problem, engine.route)


class IvrView(WebhookView):
    """The caller pressed keys (or none) in an IVR menu; reply with where that leads.

    The menu's call parameters ride in the eventUrl's query string and, packed the same way,
    in the input's `customField`, which Stringee echoes: the query wins, the echo fills gaps.
    """

    webhook_methods = ("POST",)

    @webhook_schema(
        summary="IVR callback: the keys a caller pressed",
        description=(
            "The eventUrl of the `input` actions the portal "
            "writes for a menu. Stringee POSTs the keys; "
            "the reply is the key's destination, the menu again (invalid key) or its final step."
        ),
        parameters=query_parameters(IVR_QUERY),
        request=body_schema("Dtmf", DTMF_BODY),
        responses={**SCCO_REPLY, **ROUTING_503},
    )
    def post(
        self, request: Request, stringee_project_id: int, token: str, menu_id: int
    ) -> Response:
        project, table = authorized_entry(request, stringee_project_id, token)
        body, problem = read_body(request, DTMF_BODY)
        packed = custom_field_params(body.get("customField", ""))
        packed = packed if packed.pop("menu", None) == str(menu_id) else {}
        params, problem = read_query({**packed, **request._request.GET.dict()}, IVR_QUERY, problem)
        digits = str(body.get("dtmf") or body.get("digits") or "")
        attempt = params["attempt"] if isinstance(params.get("attempt"), int) else 1

        def decide(table, call, links, state):
            return engine.ivr_step(
                engine.Context(call, table, links, state=state), menu_id, digits, attempt
            )

        return routed(
            project, table, {**_with_call_id(params, body), "dtmf": digits}, problem, decide
        )


class OnFailView(WebhookView):
    """A rule's connect could not reach the callee (continueOnFail); reply with its on-fail SCCO."""

    webhook_methods = ("POST",)

    @webhook_schema(
        summary="On-fail callback: a rule's connect failed",
        description=(
            "The onFailEventUrl of a rule's `connect` "
            "(continueOnFail); the reply: its on-fail step."
        ),
        parameters=query_parameters(CALL_QUERY),
        request=body_schema("ConnectFailed", CONNECT_FAILED_BODY),
        responses={**SCCO_REPLY, **ROUTING_503},
    )
    def post(
        self, request: Request, stringee_project_id: int, token: str, rule_id: int
    ) -> Response:
        project, table = authorized_entry(request, stringee_project_id, token)
        body, problem = read_body(request, CONNECT_FAILED_BODY)
        params, problem = read_query(request._request.GET.dict(), CALL_QUERY, problem)

        def decide(table, call, links, state):
            return engine.on_fail_step(engine.Context(call, table, links), rule_id)

        return routed(project, table, _with_call_id(params, body), problem, decide)


class RingView(WebhookView):
    """A ring group member did not answer (continueOnFail); reply with the next member or the final
    step."""

    webhook_methods = ("POST",)

    @webhook_schema(
        summary="Ring-group callback: a member did not answer",
        description=(
            "The onFailEventUrl of a ring group's `connect`; "
            "the reply: the next member, or the end."
        ),
        parameters=query_parameters(RING_QUERY),
        request=body_schema("ConnectFailed", CONNECT_FAILED_BODY),
        responses={**SCCO_REPLY, **ROUTING_503},
    )
    def post(
        self, request: Request, stringee_project_id: int, token: str, group_id: int
    ) -> Response:
        project, table = authorized_entry(request, stringee_project_id, token)
        body, problem = read_body(request, CONNECT_FAILED_BODY)
        params, problem = read_query(request._request.GET.dict(), RING_QUERY, problem)
        tried, start = params.get("next", 0), params.get("start", 0)
        tried, start = (n if isinstance(n, int) else 0 for n in (tried, start))

        def decide(table, call, links, state):
            return engine.ring_step(
                engine.Context(call, table, links, state=state), group_id, tried, start
            )

        return routed(project, table, _with_call_id(params, body), problem, decide)


answer_url = AnswerUrlView.as_view()
ivr = IvrView.as_view()
on_fail = OnFailView.as_view()
ring = RingView.as_view()
