"""Client access tokens: a Stringee SDK login token for one of the project's app users."""

import time

import jwt as pyjwt
import pytest

from portal.tests.factories import AppUserFactory
from portal.tests.helpers import jwt_headers


def issue(client, project, body):
    return client.post(
        "/api/v1/access-tokens/",
        body,
        content_type="application/json",
        headers=jwt_headers(project),
    )


@pytest.mark.django_db
def test_access_token_decodes_with_the_project_secret_and_carries_the_user_id(client, tenant_a):
    AppUserFactory(project=tenant_a, user_id="alice")
    before = int(time.time())
    response = issue(client, tenant_a, {"userId": "alice", "ttl": 600})
    assert response.status_code == 201, response.content
    body = response.json()
    token = body["access_token"]
    header = pyjwt.get_unverified_header(token)
    assert (header["alg"], header["cty"], header["typ"]) == ("HS256", "stringee-api;v=1", "JWT")
    claims = pyjwt.decode(token, tenant_a.api_key_secret, algorithms=["HS256"])
    assert claims["userId"] == "alice"
    assert claims["iss"] == tenant_a.api_key_sid
    assert claims["jti"].startswith(tenant_a.api_key_sid)
    assert before + 600 <= claims["exp"] <= int(time.time()) + 600
    assert body["expires_at"] == claims["exp"]
    assert "rest_api" not in claims
    with pytest.raises(pyjwt.InvalidSignatureError):
        pyjwt.decode(token, "another-secret-of-the-same-length-000000", algorithms=["HS256"])


@pytest.mark.django_db
def test_access_token_lives_one_hour_by_default(client, tenant_a):
    AppUserFactory(project=tenant_a, user_id="alice")
    token = issue(client, tenant_a, {"userId": "alice"}).json()["access_token"]
    claims = pyjwt.decode(token, tenant_a.api_key_secret, algorithms=["HS256"])
    assert 3590 <= claims["exp"] - time.time() <= 3600


@pytest.mark.django_db
def test_access_token_cannot_outlive_24_hours(client, tenant_a):
    AppUserFactory(project=tenant_a, user_id="alice")
    response = issue(client, tenant_a, {"userId": "alice", "ttl": 86401})
    assert response.status_code == 400
    assert response.json()["detail"].startswith("ttl:")
    assert issue(client, tenant_a, {"userId": "alice", "ttl": 86400}).status_code == 201


@pytest.mark.django_db
def test_access_token_for_unknown_or_inactive_user_is_404(client, tenant_a):
    AppUserFactory(project=tenant_a, user_id="gone", is_active=False)
    for user_id in ("nobody", "gone"):
        response = issue(client, tenant_a, {"userId": user_id})
        assert response.status_code == 404
        assert response.json()["error"] == "not_found"


@pytest.mark.django_db
def test_client_access_token_is_not_accepted_by_the_management_api(client, tenant_a):
    AppUserFactory(project=tenant_a, user_id="alice")
    token = issue(client, tenant_a, {"userId": "alice"}).json()["access_token"]
    response = client.get("/api/v1/users/", headers={"X-STRINGEE-AUTH": token})
    assert response.status_code == 401
    assert response.json()["error"] == "not_a_rest_token"
