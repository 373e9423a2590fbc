"""Check Stringee's X-STRINGEE-SIGNATURE on webhook requests, and record the failures tenants see.

Stringee signs each webhook request with HMAC-SHA1, keyed by the project's "Signing secret
key", base64 (standard alphabet) in the `X-STRINGEE-SIGNATURE` header (contract §4.1). The
signed data is the raw body for a POST, and the Request-URI for a GET: the path, then `?` and
the query string exactly as it arrived (the raw `QUERY_STRING`, never a re-encoded one), with
spaces as `%20`. What happens on a bad signature is the project's `signing_mode`: nothing
(off), a recorded failure (report), or a recorded failure and a 403 (enforce).
"""

import base64
import hashlib
import hmac
import logging
from enum import StrEnum

from django.conf import settings
from django.db import DatabaseError, transaction
from django.http import HttpRequest
from django.utils.encoding import escape_uri_path

from portal.errors import WebhookRejected
from portal.models import Project, SigningMode, WebhookSignatureFailure
from portal.ops.metrics import count_signature_failure
from portal.webhooks.deadline import database_deadline

HEADER = "HTTP_X_STRINGEE_SIGNATURE"
REDACTED_PATH_SEGMENT = "<token>"

logger = logging.getLogger(__name__)


class Outcome(StrEnum):
    OK = "ok"
    MISSING = "missing"
    MISMATCH = "mismatch"


def compute_signature(secret: str, data: bytes) -> str:
    """base64(HMAC-SHA1(secret, data)), as Stringee puts it in X-STRINGEE-SIGNATURE."""
    digest = hmac.new(secret.encode(), data, hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def signed_data(request: HttpRequest) -> bytes:
    """What Stringee signed: the Request-URI of a GET (or HEAD), the raw body of anything else."""
    if request.method in ("GET", "HEAD"):
        uri = escape_uri_path(request.path)
        query = request.META.get("QUERY_STRING", "")
        if query:
            uri = f"{uri}?{query}"
        return uri.replace(" ", "%20").encode("utf-8")
    return request.body


def signature_matches(secret: str, data: bytes, signature: str) -> bool:
    """Constant-time comparison of `signature` with the one `secret` gives `data`."""
    expected = compute_signature(secret, data).encode("ascii")
    return hmac.compare_digest(expected, signature.strip().encode("utf-8", errors="replace"))


def check_signature(request: HttpRequest, project: Project) -> Outcome:
    """Whether `request` carries `project`'s signature: ok, missing or mismatch.

    A project without a signing secret cannot be matched, so its signed requests mismatch
    (the admin refuses to turn checking on without a secret).
    """
    signature = request.META.get(HEADER, "")
    if not signature.strip():
        return Outcome.MISSING
    if not project.signing_secret:
        return Outcome.MISMATCH
    ok = signature_matches(project.signing_secret, signed_data(request), signature)
    return Outcome.OK if ok else Outcome.MISMATCH


def path_without_token(project: Project, path: str) -> str:
    """The request path with the project's webhook token(s) blanked out."""
    for token in (project.webhook_token, project.previous_webhook_token):
        if token:
            path = path.replace(token, REDACTED_PATH_SEGMENT)
    return path


def record_signature_failure(
    project: Project, request: HttpRequest, reason: str
) -> WebhookSignatureFailure:
    """Keep the failure for the project's admin page: its path (no token, no query) and reason."""
    count_signature_failure(project.stringee_project_id, str(reason))
    path = path_without_token(project, request.path)
    field = WebhookSignatureFailure._meta.get_field("path")
    return WebhookSignatureFailure.objects.create(
        project=project,
        path=path[: field.max_length],
        reason=WebhookSignatureFailure.Reason(reason),
    )


def verify_webhook(request: HttpRequest, project: Project) -> None:
    """Apply `project.signing_mode` to `request`; raise WebhookRejected(403) when it is refused.

    Call it after the URL token check, so only requests that name the project reach it.
    Off: nothing is checked. Report: a bad or missing signature is recorded and the request
    goes on. Enforce: it is recorded and refused.
    """
    if project.signing_mode == SigningMode.OFF:
        return
    outcome = check_signature(request, project)
    if outcome is Outcome.OK:
        return
    try:  # a failure that cannot be recorded must not turn the webhook into a 500, nor wait
        with database_deadline(settings.ROUTING_DATABASE_DEADLINE), transaction.atomic():
            record_signature_failure(project, request, outcome)
    except DatabaseError:
        logger.exception("Could not record a webhook signature failure for project %s", project.pk)
    if project.signing_mode == SigningMode.ENFORCE:
        detail = (
            "The request carries no X-STRINGEE-SIGNATURE."
            if outcome is Outcome.MISSING
            else "X-STRINGEE-SIGNATURE does not match this project's signing secret."
        )
        raise WebhookRejected(403, "bad_signature", detail)
