"""Refuse input no view can store before it reaches one: oversized webhook bodies, NUL in URLs, bad
JSON.

Every view would otherwise need the same guards, and the webhook views are owned by their apps:
- a webhook body over `portal.webhooks.inputs.MAX_BODY_BYTES` is 413 (Stringee's events are a
  few hundred bytes; a 2.4 MB body was stored whole);
- a NUL (`%00`) anywhere in the path or the query string is 400: PostgreSQL cannot compare text
  with a NUL, so an admin filter, an API filter or a webhook parameter holding one was a 500;
- the JSON body of a routing callback (IVR, on-fail, ring) is held to the bounds of
  `portal.webhooks.inputs.check_json` (depth, NUL, lone surrogates, finite numbers). A body that
  is not JSON
  at all still reaches the view, which reads it as empty, as before.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

from portal.errors import JSON_PATH_PREFIXES, error_response
from portal.webhooks.inputs import MAX_BODY_BYTES, InputRefused, loads_bounded

WEBHOOK_PREFIXES = settings.WEBHOOK_PATH_PREFIXES
CALLBACK_PREFIXES = ("/ivr/", "/on_fail/", "/ring/")


class InputBoundsMiddleware:
    """See the module docstring; runs before sessions and authentication, so it costs no query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            self._check(request)
        except InputRefused as refused:
            if request.path.startswith(JSON_PATH_PREFIXES):
                return error_response(refused.status, refused.code, refused.detail)
            return HttpResponseBadRequest(refused.detail)
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> None:
        if "\x00" in request.path or _has_nul(request.GET):
            raise InputRefused(400, "bad_text", "The URL must not contain NUL characters.")
        if not request.path.startswith(WEBHOOK_PREFIXES) or request.method not in (
            "POST",
            "PUT",
            "PATCH",
        ):
            return
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > MAX_BODY_BYTES or len(request.body) > MAX_BODY_BYTES:
            raise InputRefused(
                413, "body_too_large", f"The body is larger than {MAX_BODY_BYTES} bytes."
            )
        if request.path.startswith(CALLBACK_PREFIXES):
            try:
                loads_bounded(request.body)
            except (ValueError, UnicodeDecodeError):
                return  # not JSON: the callback reads it as an empty body


def _has_nul(params) -> bool:
    return any(
        "\x00" in key or any("\x00" in value for value in values) for key, values in params.lists()
    )
