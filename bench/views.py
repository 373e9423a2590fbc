"""The baselines: the fastest answers this stack can give, a constant SCCO with no database or
cache.

Two of them, so that the answer_url's cost splits in two: `baseline` is a bare Django view, the
floor of Django + gunicorn; `BaselineDrfView` is a DRF view with exactly the answer_url's lean
settings (it is a `portal.webhooks.views.WebhookView`), so the answer_url against it measures the
routing work alone, and the two baselines against each other measure what DRF itself costs.
"""

from django.http import HttpRequest, JsonResponse
from rest_framework.request import Request
from rest_framework.response import Response

from portal.webhooks.views import WebhookView

# What the answer_url returns for a phone→app call (flow 3 of the Stringee samples).
BASELINE_SCCO = [
    {
        "action": "connect",
        "from": {"type": "external", "number": "84901234567", "alias": "84901234567"},
        "to": {"type": "internal", "number": "user_1", "alias": "84899199866"},
        "customData": "test-custom-data",
    }
]


def baseline(request: HttpRequest, project_id: int, token: str) -> JsonResponse:
    """Answer with the constant SCCO: the limit the real webhooks are measured against."""
    return JsonResponse(BASELINE_SCCO, safe=False)


class BaselineDrfView(WebhookView):
    """The same constant SCCO through DRF, with the answer_url's settings (JSON only, no auth)."""

    webhook_methods = ("GET",)

    def get(self, request: Request, project_id: int, token: str) -> Response:
        return Response(BASELINE_SCCO)


baseline_drf = BaselineDrfView.as_view()
