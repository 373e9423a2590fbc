"""The baseline: the fastest answer this stack can give, a constant SCCO with no database or cache."""

from django.http import HttpRequest, JsonResponse

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
