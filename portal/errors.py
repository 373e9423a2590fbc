"""One error shape for every JSON endpoint: {"error": "<code>", "detail": "<human text>"}."""

from django.http import JsonResponse
from rest_framework.views import exception_handler


def error_response(status: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse({"error": code, "detail": detail}, status=status)


def api_exception_handler(exc, context):
    """DRF's handler, reshaped to the portal's error format (field errors kept under `fields`)."""
    response = exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    code = getattr(exc, "default_code", "error")
    if isinstance(data, dict) and set(data) == {"detail"}:
        detail = str(data["detail"])
        code = getattr(data["detail"], "code", code)
        response.data = {"error": code, "detail": detail}
    else:
        response.data = {"error": code, "detail": _summarise(data), "fields": data}
    return response


def _summarise(data) -> str:
    """First message of a (possibly nested) DRF validation error, prefixed by its field."""
    if isinstance(data, dict):
        for field, value in data.items():
            inner = _summarise(value)
            return inner if field == "non_field_errors" else f"{field}: {inner}"
    if isinstance(data, list) and data:
        return _summarise(data[0])
    return str(data)
