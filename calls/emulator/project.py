"""What Stringee knows of one of the portal's projects, read from the database, and an in-process
transport: how the command and the admin page point the emulator at this portal.

`portal_for(project)` gives the emulator the project's answer_url, event_url and signing
secret, as an operator pastes them into Stringee. `in_process_transport()` lets it talk to the
portal running in this very process (no second server worker needed), the way Django's test
client does it: the portal's request signals do not close this process's database connection
mid-call, and the caller's language and time zone are theirs again after each request (the
portal's middleware activates its own).
"""

from __future__ import annotations

import httpx
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone, translation

from calls.emulator.types import Portal
from portal.models import Project


def portal_for(project: Project, base_url: str | None = None) -> Portal:
    """The emulator's view of `project`, its requests sent to `base_url` (PUBLIC_BASE_URL by
    default)."""
    hide = tuple(t for t in (project.webhook_token, project.previous_webhook_token) if t)
    return Portal(
        base_url=(base_url or settings.PUBLIC_BASE_URL).rstrip("/"),
        answer_url=project.answer_url,
        event_url=project.event_url,
        project_id=project.stringee_project_id,
        signing_secret=project.signing_secret or "",
        hide=hide,
    )


class InProcessTransport(httpx.WSGITransport):
    """httpx's WSGI transport into this process's Django, keeping the caller's database
    connection open across the portal's requests (as django.test.Client does)."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        language = translation.get_language()  # the portal's middleware sets its own
        zone = timezone.get_current_timezone() if _zone_active() else None
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            response = super().handle_request(request)
            response.read()  # the body, read and closed here: closing ends Django's request
            return response
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
            if language:
                translation.activate(language)
            else:
                translation.deactivate()
            if zone is not None:
                timezone.activate(zone)
            else:
                timezone.deactivate()


def _zone_active() -> bool:
    """Whether the caller activated a time zone of its own (else the default one is in use)."""
    return timezone.get_current_timezone() is not timezone.get_default_timezone()


def in_process_transport() -> InProcessTransport:
    """A transport that answers the emulator's requests with this process's portal."""
    return InProcessTransport(app=WSGIHandler())
