"""The event_url and the recording callback: authenticate the URL, parse, store, reply 200."""

from collections.abc import Callable

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from calls.ingest import BadPayload, ingest_event, parse_event
from calls.recordings import ingest_recording, parse_recording
from portal.errors import error_response, webhook_methods
from portal.models import Project
from portal.webhooks import WebhookRejected, project_for_webhook

Store = Callable[[Project], object]


def _accept(project_id: int, token: str, store: Store) -> JsonResponse:
    try:
        project = project_for_webhook(project_id, token)
        store(project)
    except WebhookRejected as rejected:
        return error_response(rejected.status, rejected.code, rejected.detail)
    except BadPayload as bad:
        return error_response(400, bad.code, bad.detail)
    return JsonResponse({"ok": True})


@csrf_exempt
@webhook_methods("POST")
def event_url(request: HttpRequest, project_id: int, token: str) -> JsonResponse:
    """Stringee reports a call (or room) state change; 200 once it is stored."""
    return _accept(project_id, token, lambda project: ingest_event(project, parse_event(request.body)))


@csrf_exempt
@webhook_methods("POST")
def recording_event(request: HttpRequest, project_id: int, token: str) -> JsonResponse:
    """Stringee posts a recording's download link (the eventUrl of `record`/`recordMessage`)."""
    call_id = request.GET.get("callId", "")
    return _accept(
        project_id, token, lambda project: ingest_recording(project, parse_recording(request.body, call_id))
    )
