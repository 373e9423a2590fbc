"""The API answers in the caller's language (Accept-Language): `detail` is translated, while the
machine-readable `error` code stays the same English identifier."""

import pytest

from portal.tests.helpers import jwt_headers

pytestmark = pytest.mark.django_db


def purchase(client, project, language: str | None):
    headers = jwt_headers(project)
    if language:
        headers["Accept-Language"] = language
    return client.post(
        "/api/v1/numbers/purchase/",
        {"number": "0901234567"},
        content_type="application/json",
        headers=headers,
    )


def test_detail_is_vietnamese_with_accept_language_vi_and_the_code_unchanged(client, tenant_a):
    english = purchase(client, tenant_a, None).json()
    vietnamese = purchase(client, tenant_a, "vi,en;q=0.8").json()

    assert english == {
        "error": "number_unavailable",
        "detail": "+84901234567 is not in the number inventory.",
    }
    assert vietnamese == {
        "error": "number_unavailable",
        "detail": "+84901234567 không có trong kho số.",
    }


def test_authentication_errors_follow_the_language(client):
    response = client.get(
        "/api/v1/users/",
        headers={"X-STRINGEE-AUTH": "not-a-jwt", "Accept-Language": "vi"},
    )
    body = response.json()
    assert response.status_code == 401
    assert body["error"] == "malformed_token"
    assert body["detail"].startswith("Token sai định dạng")
