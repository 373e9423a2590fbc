"""X-STRINGEE-SIGNATURE: HMAC-SHA1 of the Request-URI (GET) or raw body (POST), per signing mode."""

import base64
import hashlib
import hmac

import pytest
from django.test import RequestFactory

from portal.errors import WebhookRejected
from portal.models import Project, SigningMode, WebhookSignatureFailure
from portal.tests.factories import ProjectFactory
from portal.webhooks.signatures import (
    Outcome,
    check_signature,
    record_signature_failure,
    verify_webhook,
)

pytestmark = pytest.mark.django_db

SECRET = "signing-secret-of-tenant-a"
BODY = b'{"call_status":"ended","call_id":"call-vn-1-XXXX-1700000000000","duration":60}'


def sign(data: bytes, secret: str = SECRET) -> str:
    """Computed here, not with portal.webhooks.signatures: base64(HMAC-SHA1(secret, data))."""
    return base64.b64encode(hmac.new(secret.encode(), data, hashlib.sha1).digest()).decode()


@pytest.fixture
def project(tenant_a):
    tenant_a.signing_secret = SECRET
    tenant_a.save()
    return tenant_a


def answer_path(project) -> str:
    return f"/answer_url/{project.stringee_project_id}/{project.webhook_token}/"


def get(project, query: str, signature: str | None):
    headers = {} if signature is None else {"HTTP_X_STRINGEE_SIGNATURE": signature}
    return RequestFactory().get(f"{answer_path(project)}?{query}", **headers)


def post(project, body: bytes, signature: str | None):
    headers = {} if signature is None else {"HTTP_X_STRINGEE_SIGNATURE": signature}
    path = f"/event_url/{project.stringee_project_id}/{project.webhook_token}/"
    return RequestFactory().post(path, body, content_type="application/json", **headers)


QUERY = "from=84912345678&to=842473000111&uuid=6f1c0e2a&fromInternal=false"


def test_get_is_signed_over_path_and_raw_query(project):
    good = sign(f"{answer_path(project)}?{QUERY}".encode())
    assert check_signature(get(project, QUERY, good), project) == Outcome.OK
    assert check_signature(get(project, QUERY, sign(QUERY.encode())), project) == Outcome.MISMATCH


def test_get_query_is_taken_as_received_not_re_encoded(project):
    query = "from=%2B84912345678&custom=a%2Fb"
    good = sign(f"{answer_path(project)}?{query}".encode())
    assert check_signature(get(project, query, good), project) == Outcome.OK
    decoded = sign(f"{answer_path(project)}?from=+84912345678&custom=a/b".encode())
    assert check_signature(get(project, query, decoded), project) == Outcome.MISMATCH


def test_get_spaces_are_signed_as_percent_20(project):
    signature = sign(f"{answer_path(project)}?custom=a%20b".encode())
    request = get(project, "custom=a b", signature)
    assert request.META["QUERY_STRING"] == "custom=a b"
    assert check_signature(request, project) == Outcome.OK


def test_post_is_signed_over_the_raw_body(project):
    assert check_signature(post(project, BODY, sign(BODY)), project) == Outcome.OK


def test_post_body_altered_by_one_byte_fails(project):
    altered = BODY.replace(b'"duration":60', b'"duration":61')
    assert len(altered) == len(BODY)
    assert check_signature(post(project, altered, sign(BODY)), project) == Outcome.MISMATCH


def test_missing_or_blank_header_is_missing(project):
    assert check_signature(post(project, BODY, None), project) == Outcome.MISSING
    assert check_signature(post(project, BODY, "  "), project) == Outcome.MISSING


def test_another_projects_secret_is_a_mismatch(project):
    assert (
        check_signature(post(project, BODY, sign(BODY, "someone-else")), project)
        == Outcome.MISMATCH
    )


def test_signature_with_non_ascii_junk_is_a_mismatch_not_an_error(project):
    assert check_signature(post(project, BODY, "é" * 28), project) == Outcome.MISMATCH


# --- modes ----------------------------------------------------------------------------------------


def requests(project):
    """(label, request, expected outcome) for GET and POST, good, missing and wrong."""
    good_get = sign(f"{answer_path(project)}?{QUERY}".encode())
    return [
        ("GET good", get(project, QUERY, good_get), Outcome.OK),
        ("GET missing", get(project, QUERY, None), Outcome.MISSING),
        ("GET wrong", get(project, QUERY, sign(b"other")), Outcome.MISMATCH),
        ("POST good", post(project, BODY, sign(BODY)), Outcome.OK),
        ("POST missing", post(project, BODY, None), Outcome.MISSING),
        ("POST wrong", post(project, BODY + b" ", sign(BODY)), Outcome.MISMATCH),
    ]


def test_enforce_accepts_good_and_refuses_missing_or_wrong_with_403(project):
    project.signing_mode = SigningMode.ENFORCE
    for label, request, outcome in requests(project):
        before = WebhookSignatureFailure.objects.count()
        if outcome is Outcome.OK:
            verify_webhook(request, project)
            assert WebhookSignatureFailure.objects.count() == before, label
            continue
        with pytest.raises(WebhookRejected) as rejected:
            verify_webhook(request, project)
        assert (rejected.value.status, rejected.value.code) == (403, "bad_signature"), label
        failure = WebhookSignatureFailure.objects.first()
        assert (failure.project, failure.reason) == (project, outcome.value), label


def test_report_accepts_everything_but_records_missing_or_wrong(project):
    project.signing_mode = SigningMode.REPORT
    for _label, request, _outcome in requests(project):
        verify_webhook(request, project)
    reasons = sorted(
        WebhookSignatureFailure.objects.filter(project=project).values_list("reason", flat=True)
    )
    assert reasons == ["mismatch", "mismatch", "missing", "missing"]


def test_off_checks_nothing_and_records_nothing(project):
    assert project.signing_mode == SigningMode.OFF
    for _label, request, _outcome in requests(project):
        verify_webhook(request, project)
    assert not WebhookSignatureFailure.objects.exists()


def test_new_and_existing_projects_start_with_signatures_off():
    assert Project().signing_mode == SigningMode.OFF
    assert ProjectFactory().signing_mode == SigningMode.OFF


def test_recorded_failure_keeps_no_token_no_query_no_body_no_secret(project, settings):
    settings.WEBHOOK_TOKEN_GRACE_SECONDS = 3600
    old_token = project.webhook_token
    project.rotate_webhook_token()
    request = RequestFactory().post(
        f"/event_url/{project.stringee_project_id}/{old_token}/?secret=1",
        BODY,
        content_type="application/json",
    )
    failure = record_signature_failure(project, request, "missing")
    assert failure.path == f"/event_url/{project.stringee_project_id}/<token>/"
    stored = " ".join(str(value) for value in WebhookSignatureFailure.objects.values_list().get())
    for secret in (old_token, project.webhook_token, SECRET, project.api_key_secret, "call_status"):
        assert secret not in stored


def test_failures_are_kept_per_project(project, tenant_b):
    project.signing_mode = SigningMode.REPORT
    verify_webhook(post(project, BODY, None), project)
    assert project.signature_failures.count() == 1
    assert tenant_b.signature_failures.count() == 0
