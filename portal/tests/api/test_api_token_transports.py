"""REST tokens as Stringee issues them: any of three transports, `rest_api` true or 1; PCC agent
tokens."""

import time
import uuid

import jwt
import pytest

from portal.api.authentication import make_client_token, make_rest_token
from portal.tests.factories import AppUserFactory
from portal.tests.helpers import jwt_headers

URL = "/api/v1/users/"
CTY = {"cty": "stringee-api;v=1"}

pytestmark = pytest.mark.django_db


def token_with(project, rest_api) -> str:
    now = int(time.time())
    claims = {
        "jti": f"{project.api_key_sid}-{now}-{uuid.uuid4().hex}",
        "iss": project.api_key_sid,
        "exp": now + 600,
    }
    claims["rest_api"] = rest_api
    return jwt.encode(claims, project.api_key_secret, algorithm="HS256", headers=CTY)


def test_token_in_the_access_token_query_parameter_is_accepted(client, tenant_a, tenant_b):
    AppUserFactory(project=tenant_a, user_id="alice")
    AppUserFactory(project=tenant_b, user_id="bob")
    response = client.get(URL, {"access_token": make_rest_token(tenant_a)})
    assert response.status_code == 200, response.content
    assert [row["user_id"] for row in response.json()["results"]] == ["alice"]


def test_bad_token_in_the_query_parameter_is_rejected_with_its_reason(client, tenant_a):
    forged = jwt.encode(
        {"jti": "x", "iss": tenant_a.api_key_sid, "exp": int(time.time()) + 60, "rest_api": True},
        "not-the-secret-but-just-as-long-as-one",
        algorithm="HS256",
    )
    response = client.get(URL, {"access_token": forged})
    assert response.status_code == 401
    assert response.json()["error"] == "bad_signature"


def test_the_header_wins_over_the_query_parameter(client, tenant_a, tenant_b):
    AppUserFactory(project=tenant_a, user_id="alice")
    AppUserFactory(project=tenant_b, user_id="bob")
    response = client.get(
        URL,
        {"access_token": make_rest_token(tenant_b)},
        headers={"X-STRINGEE-AUTH": make_rest_token(tenant_a)},
    )
    assert [row["user_id"] for row in response.json()["results"]] == ["alice"]


@pytest.mark.parametrize("value", [True, 1])
def test_rest_api_claim_may_be_true_or_the_number_one(client, tenant_a, value):
    response = client.get(URL, headers={"X-STRINGEE-AUTH": token_with(tenant_a, value)})
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("value", ["1", "true", 2, 0, False, 1.0, None])
def test_other_rest_api_values_are_refused(client, tenant_a, value):
    response = client.get(URL, headers={"X-STRINGEE-AUTH": token_with(tenant_a, value)})
    assert response.status_code == 401
    assert response.json()["error"] == "not_a_rest_token"


def issue(client, project, body):
    return client.post(
        "/api/v1/access-tokens/",
        body,
        content_type="application/json",
        headers=jwt_headers(project),
    )


def test_client_token_claims_are_exactly_jti_iss_exp_and_user_id(client, tenant_a):
    AppUserFactory(project=tenant_a, user_id="alice")
    body = issue(client, tenant_a, {"userId": "alice", "ttl": 600}).json()
    claims = jwt.decode(body["access_token"], tenant_a.api_key_secret, algorithms=["HS256"])
    assert set(claims) == {"jti", "iss", "exp", "userId"}
    assert body["icc_api"] is False


def test_pcc_agent_token_carries_user_id_and_icc_api_true(client, tenant_a):
    AppUserFactory(project=tenant_a, user_id="agent_7")
    response = issue(client, tenant_a, {"userId": "agent_7", "ttl": 600, "icc_api": True})
    assert response.status_code == 201, response.content
    body = response.json()
    claims = jwt.decode(body["access_token"], tenant_a.api_key_secret, algorithms=["HS256"])
    assert claims == {
        "jti": claims["jti"],
        "iss": tenant_a.api_key_sid,
        "exp": body["expires_at"],
        "userId": "agent_7",
        "icc_api": True,
    }
    assert claims["jti"].startswith(f"{tenant_a.api_key_sid}-")
    assert body["icc_api"] is True


def test_pcc_agent_token_cannot_call_the_management_api(client, tenant_a):
    token = make_client_token(tenant_a, "agent_7", icc_api=True)
    response = client.get(URL, {"access_token": token})
    assert response.status_code == 401
    assert response.json()["error"] == "not_a_rest_token"


def test_pcc_agent_token_for_another_tenants_user_is_404(client, tenant_a, tenant_b):
    AppUserFactory(project=tenant_b, user_id="agent_b")
    response = issue(client, tenant_a, {"userId": "agent_b", "icc_api": True})
    assert response.status_code == 404
