"""Calling a project's webhooks from tests, as Stringee would."""

import json

from portal.models import Project
from routing.decisions import parked_decisions, release


def answer(client, project: Project, token: str | None = None, **params):
    """GET the project's answer_url; `from_` stands for the `from` parameter."""
    if "from_" in params:
        params["from"] = params.pop("from_")
    url = f"/answer_url/{project.stringee_project_id}/{token or project.webhook_token}/"
    return client.get(url, params)


def press(client, event_url: str, digits: str, call_id: str = "call-1"):
    """POST the keys a caller pressed to an `input` action's eventUrl."""
    path = event_url.split("://", 1)[1].split("/", 1)[1]
    return client.post(
        "/" + path, json.dumps({"callId": call_id, "dtmf": digits}), content_type="application/json"
    )


def take_decisions(project_id: int, call_id: str) -> list[dict]:
    """Remove and return the routing decisions parked for the call (and its linked uuid), as the
    event_url does once it has stored them."""
    parked = parked_decisions(project_id, call_id)
    release(parked)
    return parked.entries
