"""The lean DRF base view of every Stringee-facing webhook: JSON only, no auth classes, one error
shape.

Stringee's requests are authenticated by the URL (project + webhook token) and the
X-STRINGEE-SIGNATURE header, both checked by the views themselves, so DRF's authentication,
permission, throttling, versioning and content negotiation have nothing to do here. They are
declared empty (so the schema says so) and `initial()` skips them: a webhook is the hot path.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.errors import WebhookRejected, error_response

TAG = "Stringee webhooks"

SIGNATURE_HEADER = OpenApiParameter(
    "X-STRINGEE-SIGNATURE",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "base64(HMAC-SHA1(project's signing secret, data)); data is the raw body of a POST, the "
        "Request-URI (path?query as sent) of a GET. Checked per the project's signing mode "
        "(off / report / enforce); see docs/webhooks.md."
    ),
)


class WebhookErrorSerializer(serializers.Serializer):
    """The portal's error shape."""

    error = serializers.CharField(help_text="A code: unknown_project, bad_token, bad_signature, …")
    detail = serializers.CharField(help_text="What went wrong, in words.")


def webhook_schema(*, summary: str, description: str, responses: dict, **kwargs):
    """extend_schema for a webhook: tagged, unauthenticated (URL token + signature), error shape."""
    errors = {
        403: OpenApiResponse(WebhookErrorSerializer, "bad_token, or bad_signature (enforce mode)."),
        404: OpenApiResponse(
            WebhookErrorSerializer, "unknown_project: no active project with this id."
        ),
        405: OpenApiResponse(
            WebhookErrorSerializer, "method_not_allowed (the `Allow` header names the right one)."
        ),
    }
    return extend_schema(
        tags=[TAG],
        summary=summary,
        description=description,
        auth=[],
        parameters=[SIGNATURE_HEADER, *kwargs.pop("parameters", [])],
        responses={**errors, **responses},
        **kwargs,
    )


class CompactJSONRenderer(JSONRenderer):
    """DRF's JSON renderer, compact always: no `indent` read from the Accept header per response."""

    def get_indent(self, accepted_media_type, renderer_context):
        return None


class JSONOnly(BaseContentNegotiation):
    """Always the view's one renderer (JSON), whatever the Accept header says."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def error(status: int, code: str, detail: str, headers: dict | None = None) -> Response:
    """The portal's JSON error shape, {"error", "detail"}, as a DRF response."""
    return Response({"error": code, "detail": detail}, status=status, headers=headers)


class WebhookView(APIView):
    """Base of the answer_url, its callbacks, the event_url and the recording callback.

    `webhook_methods` lists the HTTP methods the endpoint takes; any other gets a JSON 405
    naming them in `Allow`. A `WebhookRejected` raised by a handler (unknown project, bad token,
    bad signature, data unavailable) becomes its JSON error. The body is never parsed by DRF:
    handlers read the raw bytes, because the signature covers them exactly.
    """

    webhook_methods: tuple[str, ...] = ("GET",)
    # How these views keep tenants apart (portal.tenancy.api checks every API view says so).
    tenant_scope = "the project the URL names, once the URL's token (and signature) pass"
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []
    renderer_classes = [CompactJSONRenderer]
    parser_classes = [JSONParser]  # for the schema only: handlers read the raw body themselves
    content_negotiation_class = JSONOnly
    metadata_class = None  # OPTIONS is a wrong method, not a description of the view
    versioning_class = None

    _renderer = CompactJSONRenderer()
    _negotiator = JSONOnly()

    def initialize_request(self, request, *args, **kwargs) -> Request:
        """DRF's Request, built from shared instances: no authenticators, one negotiator."""
        context = {"view": self, "args": args, "kwargs": kwargs}
        return Request(
            request, parsers=[JSONParser()], negotiator=self._negotiator, parser_context=context
        )

    def initial(self, request, *args, **kwargs) -> None:
        """Only what rendering needs: no authentication, permission, throttle or version to run."""
        self.format_kwarg = None
        request.accepted_renderer = self._renderer
        request.accepted_media_type = self._renderer.media_type

    @property
    def default_response_headers(self) -> dict:
        return {}

    def get_renderer_context(self) -> dict:
        return {"view": self, "request": self.request}

    def dispatch(self, request, *args, **kwargs):
        if request.method not in self.webhook_methods:
            return self.wrong_method(request)
        return super().dispatch(request, *args, **kwargs)

    def wrong_method(self, request):
        """JSON 405 with `Allow`, before any DRF work (HEAD and OPTIONS included)."""
        methods = self.webhook_methods
        response = error_response(
            405,
            "method_not_allowed",
            f"Use {' or '.join(methods)} on this URL, not {request.method}.",
        )
        response["Allow"] = ", ".join(methods)
        return response

    def handle_exception(self, exc):
        if isinstance(exc, WebhookRejected):
            return error(exc.status, exc.code, exc.detail)
        return super().handle_exception(exc)
