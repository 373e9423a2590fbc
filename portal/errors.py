"""One error shape for every JSON endpoint: {"error": "<code>", "detail": "<human text>"}."""

from dataclasses import dataclass
from itertools import islice

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.db.models import Model, ProtectedError, RestrictedError
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions, serializers
from rest_framework.views import exception_handler

from portal.webhooks.redaction import redact_for_log


@dataclass
class WebhookRejected(Exception):
    """A webhook names no active project (404), or carries the wrong token or signature (403)."""

    status: int
    code: str
    detail: str


class DatabaseUnavailable(exceptions.APIException):
    """The database did not answer: nothing was written, the caller may retry."""

    status_code = 503
    default_detail = "The database cannot be reached; retry later."
    default_code = "database_unavailable"


class DomainError(Exception):
    """A service refused a write for a reason the caller can act on (the API answers `status`)."""

    status = 409
    code = "conflict"


class StillInUse(DomainError):
    """A row cannot be deleted: other rows still point at it (PROTECT / RESTRICT)."""

    status = 409
    code = "still_in_use"


def still_in_use(exc: ProtectedError | RestrictedError) -> StillInUse:
    """The 409 for a refused delete, naming (up to five of) the rows that use the object:
    `Used by routing rule “Sales”, ring group “Support”.`"""
    blocking = getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", None)
    rows = list(islice(blocking or (), 6))  # naming a row may cost a query: name a few
    names = sorted({_row_name(row) for row in rows[:5]}) + (["…"] if len(rows) > 5 else [])
    return StillInUse(
        _("It cannot be deleted while it is used. Used by %(rows)s.") % {"rows": ", ".join(names)}
    )


def _row_name(row: Model) -> str:
    return f"{row._meta.verbose_name} “{row}”"


def _as_api_exception(exc: Exception) -> Exception:
    """Services speak Django (ValidationError) and domain errors; the API speaks DRF."""
    if isinstance(exc, ProtectedError | RestrictedError):
        exc = still_in_use(exc)
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(serializers.as_serializer_error(exc))
    if isinstance(exc, (OperationalError, InterfaceError)):
        return DatabaseUnavailable()
    if isinstance(exc, DomainError):
        error = exceptions.APIException(str(exc), code=exc.code)
        error.status_code = exc.status
        error.default_code = exc.code  # type: ignore[misc]
        return error
    return exc


def error_response(status: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse({"error": code, "detail": detail}, status=status)


def api_exception_handler(exc, context):
    """DRF's handler, reshaped to the portal's error format (field errors kept under `fields`)."""
    exc = _as_api_exception(exc)
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
        response.data = {"error": code, "detail": summarise(data), "fields": data}
    return response


def summarise(data) -> str:
    """First message of a (possibly nested) DRF validation error, prefixed by its field."""
    if isinstance(data, dict):
        for field, value in data.items():
            inner = summarise(value)
            return inner if field == "non_field_errors" else f"{field}: {inner}"
    if isinstance(data, list) and data:
        return summarise(data[0])
    return str(data)


# Paths whose callers are programs: their 404s are JSON, like every other error they get.
JSON_PATH_PREFIXES = (*settings.WEBHOOK_PATH_PREFIXES, "/api/")


def page_not_found(request, exception):
    """handler404: JSON for webhook and API paths (e.g. a projectId that is not a number)."""
    if request.path.startswith(JSON_PATH_PREFIXES):
        return error_response(404, "not_found", f"No such URL: {redact_for_log(request.path)}")
    return defaults.page_not_found(request, exception)
