"""Every webhook checks X-STRINGEE-SIGNATURE through its real URL, after the token, per signing
mode."""

import base64
import hashlib
import hmac
import json

import pytest

from calls.models import CallEvent, Recording
from calls.tests.factories import call_event
from portal.models import SigningMode, WebhookSignatureFailure
from routing.tests.factories import IvrMenuFactory

pytestmark = pytest.mark.django_db

SECRET = "signing-secret-of-tenant-a"


def sign(data: bytes, secret: str = SECRET) -> str:
    """Computed here, independently of portal.webhooks.signatures:
    base64(HMAC-SHA1(secret, data))."""
    return base64.b64encode(hmac.new(secret.encode(), data, hashlib.sha1).digest()).decode()


@pytest.fixture
def signed(tenant_a):
    tenant_a.signing_secret = SECRET
    tenant_a.save()
    return tenant_a


def set_mode(project, mode: str) -> None:
    project.signing_mode = mode
    project.save()


def url(project, name: str, *extra) -> str:
    tail = "".join(f"{part}/" for part in extra)
    return f"/{name}/{project.stringee_project_id}/{project.webhook_token}/{tail}"


class Endpoint:
    """One webhook called the way Stringee calls it, with a given signature (None: no header)."""

    def __init__(self, label, method, path, body=b"", ok=lambda response: True):
        self.label, self.method, self.path, self.body, self.ok = label, method, path, body, ok

    def signed_data(self) -> bytes:
        return self.path.encode() if self.method == "GET" else self.body

    def call(self, client, signature, body=None):
        headers = {} if signature is None else {"HTTP_X_STRINGEE_SIGNATURE": signature}
        if self.method == "GET":
            return client.get(self.path, **headers)
        data = self.body if body is None else body
        return client.post(self.path, data, content_type="application/json", **headers)


QUERY = (
    "from=84912345678&to=842473000111&fromInternal=false&uuid=6f1c0e2a-0000-4000-8000-000000000001"
)


def endpoints(project) -> list[Endpoint]:
    menu = IvrMenuFactory(project=project, greeting_text="Menu.")
    dtmf = {
        "time": "1700000000123",
        "dtmf": "1",
        "call_id": "call-x",
        "customField": "",
        "timeout": False,
    }
    recording = {"call_id": "call-rec", "url": "https://rec.example/call-rec.mp3"}
    return [
        Endpoint("answer_url GET", "GET", f"{url(project, 'answer_url')}?{QUERY}"),
        Endpoint(
            "event_url POST",
            "POST",
            url(project, "event_url"),
            json.dumps(call_event("call-ev", "created")).encode(),
        ),
        Endpoint(
            "IVR callback POST",
            "POST",
            f"{url(project, 'ivr', menu.pk)}?attempt=1&from=user_1&to=hotline&fromInternal=true",
            json.dumps(dtmf).encode(),
        ),
        Endpoint(
            "recording callback POST",
            "POST",
            url(project, "recording_event"),
            json.dumps(recording).encode(),
        ),
    ]


def failures(project) -> list[str]:
    return list(
        WebhookSignatureFailure.objects.filter(project=project).values_list("reason", flat=True)
    )


def test_enforce_answers_good_signatures_and_refuses_missing_or_wrong_with_403(client, signed):
    set_mode(signed, SigningMode.ENFORCE)
    for endpoint in endpoints(signed):
        good = endpoint.call(client, sign(endpoint.signed_data()))
        assert good.status_code == 200, endpoint.label
        assert failures(signed) == [], endpoint.label
        for signature, reason in ((None, "missing"), (sign(b"something else"), "mismatch")):
            refused = endpoint.call(client, signature)
            assert refused.status_code == 403, endpoint.label
            assert refused.json()["error"] == "bad_signature", endpoint.label
            assert set(refused.json()) == {"error", "detail"}
            assert failures(signed)[0] == reason, endpoint.label
        WebhookSignatureFailure.objects.all().delete()


def test_report_answers_everything_and_records_missing_or_wrong(client, signed):
    set_mode(signed, SigningMode.REPORT)
    for endpoint in endpoints(signed):
        assert endpoint.call(client, sign(endpoint.signed_data())).status_code == 200, (
            endpoint.label
        )
        assert failures(signed) == [], endpoint.label
        assert endpoint.call(client, None).status_code == 200, endpoint.label
        assert endpoint.call(client, sign(b"something else")).status_code == 200, endpoint.label
        assert sorted(failures(signed)) == ["mismatch", "missing"], endpoint.label
        WebhookSignatureFailure.objects.all().delete()


def test_off_checks_nothing(client, signed):
    for endpoint in endpoints(signed):
        assert endpoint.call(client, None).status_code == 200, endpoint.label
        assert endpoint.call(client, "garbage").status_code == 200, endpoint.label
    assert failures(signed) == []


@pytest.mark.parametrize("mode", [SigningMode.ENFORCE, SigningMode.REPORT])
def test_a_body_altered_by_one_byte_fails(client, signed, mode):
    set_mode(signed, mode)
    for endpoint in endpoints(signed)[1:]:  # the POSTs
        altered = endpoint.body.replace(b"call-", b"call_", 1)
        assert len(altered) == len(endpoint.body) and altered != endpoint.body
        response = endpoint.call(client, sign(endpoint.body), body=altered)
        assert response.status_code == (403 if mode == SigningMode.ENFORCE else 200), endpoint.label
        assert failures(signed) == ["mismatch"], endpoint.label
        WebhookSignatureFailure.objects.all().delete()


def test_answer_url_query_altered_by_one_byte_fails(client, signed):
    set_mode(signed, SigningMode.ENFORCE)
    endpoint = endpoints(signed)[0]
    signature = sign(endpoint.signed_data())
    endpoint.path = endpoint.path.replace("84912345678", "84912345679")
    assert endpoint.call(client, signature).status_code == 403


def test_enforce_refuses_before_anything_is_stored(client, signed):
    set_mode(signed, SigningMode.ENFORCE)
    _, event, _, recording = endpoints(signed)
    assert event.call(client, None).status_code == 403
    assert recording.call(client, sign(b"x")).status_code == 403
    assert not CallEvent.objects.exists() and not Recording.objects.exists()


def test_the_url_token_is_checked_first_and_a_bad_one_records_no_signature_failure(
    client, signed, tenant_b
):
    set_mode(signed, SigningMode.ENFORCE)
    for endpoint in endpoints(signed):
        endpoint.path = endpoint.path.replace(signed.webhook_token, tenant_b.webhook_token)
        response = endpoint.call(client, sign(endpoint.signed_data()))
        assert (response.status_code, response.json()["error"]) == (403, "bad_token"), (
            endpoint.label
        )
    assert failures(signed) == []


def test_a_failure_that_cannot_be_recorded_does_not_break_the_webhook(client, signed, monkeypatch):
    from django.db import OperationalError

    def database_down(*args, **kwargs):
        raise OperationalError("connection refused")

    set_mode(signed, SigningMode.REPORT)
    monkeypatch.setattr(
        "portal.webhooks.signatures.WebhookSignatureFailure.objects.create", database_down
    )
    answer = endpoints(signed)[0]
    assert answer.call(client, None).status_code == 200
