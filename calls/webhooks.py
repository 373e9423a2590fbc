"""The event_url and the recording callback: check the URL and signature, parse, store, reply
200."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from calls.ingest import BadPayload, ingest_event, parse_event
from calls.recordings import ingest_recording, parse_recording
from portal.models import Project
from portal.webhooks.deadline import database_deadline
from portal.webhooks.door import project_for_webhook
from portal.webhooks.signatures import verify_webhook
from portal.webhooks.views import WebhookErrorSerializer, WebhookView, error, webhook_schema

logger = logging.getLogger(__name__)

Store = Callable[[Project], object]

STORED = {
    200: OpenApiResponse(
        inline_serializer("WebhookStored", {"ok": serializers.BooleanField()}),
        "Stored (or already stored).",
    ),
    400: OpenApiResponse(
        WebhookErrorSerializer, "The body breaks the rules of docs/events.md; nothing stored."
    ),
    503: OpenApiResponse(
        WebhookErrorSerializer, "database_unavailable: nothing stored; Stringee retries."
    ),
}


def accept(request: Request, stringee_project_id: int, token: str, store: Store) -> Response:
    """Project and token from the URL, then the signature (over the raw body), then `store`."""
    try:
        with database_deadline(settings.WEBHOOK_DATABASE_DEADLINE):
            project = project_for_webhook(stringee_project_id, token)
            verify_webhook(request._request, project)
            store(project)
    except BadPayload as bad:
        return error(400, bad.code, bad.detail)
    except (OperationalError, InterfaceError):  # nothing was committed: Stringee retries on a 5xx
        logger.exception("Database unavailable for a webhook of project %s", stringee_project_id)
        return error(503, "database_unavailable", "The database cannot be reached; retry later.")
    return Response({"ok": True})


class EventUrlView(WebhookView):
    """Stringee reports a call (or room) state change; 200 once it is stored."""

    webhook_methods = ("POST",)

    @webhook_schema(
        summary="event_url: a call or room changed state",
        description=(
            "Stringee POSTs each call event (created, ringing, answered, ended, …) as JSON."
        ),
        request=OpenApiTypes.OBJECT,
        responses=STORED,
    )
    def post(self, request: Request, stringee_project_id: int, token: str) -> Response:
        body = request._request.body
        return accept(
            request,
            stringee_project_id,
            token,
            lambda project: ingest_event(project, parse_event(body)),
        )


class RecordingEventView(WebhookView):
    """Stringee sends a recording's download link (the eventUrl of `record`/`recordMessage`)."""

    webhook_methods = ("GET", "POST")

    @webhook_schema(
        summary="Recording callback (GET): a recording's link in the query",
        description=(
            "callId and url (or recording_url / recordingUrl / download_url) in the query string."
        ),
        responses=STORED,
    )
    def get(self, request: Request, stringee_project_id: int, token: str) -> Response:
        return self.post(request, stringee_project_id, token)

    @webhook_schema(
        summary="Recording callback: a recording's download link",
        description=(
            "The eventUrl of `record` / `recordMessage`: call id and link in a JSON body or query."
        ),
        request=OpenApiTypes.OBJECT,
        responses=STORED,
    )
    def post(self, request: Request, stringee_project_id: int, token: str) -> Response:
        body = request._request.body if request.method == "POST" else b""
        query = request._request.GET.dict()

        def store(project: Project) -> object:
            return ingest_recording(project, parse_recording(body, query))

        return accept(request, stringee_project_id, token, store)


event_url = EventUrlView.as_view()
recording_event = RecordingEventView.as_view()
