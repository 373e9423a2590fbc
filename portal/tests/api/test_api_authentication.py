"""API authentication: Stringee REST JWTs (every rejection is a 401 with a reason), staff logins."""

import base64
import json
import time
import uuid

import jwt
import pytest
from rest_framework.authtoken.models import Token

from portal.api.authentication import make_rest_token
from portal.models import Membership
from portal.tests.factories import (
    AppUserFactory,
    MembershipFactory,
    ProjectFactory,
    StaffUserFactory,
)

URL = "/api/v1/users/"
CTY = {"cty": "stringee-api;v=1"}


def claims_for(project, **changes) -> dict:
    now = int(time.time())
    claims = {
        "jti": f"{project.api_key_sid}-{now}-{uuid.uuid4().hex}",
        "iss": project.api_key_sid,
        "exp": now + 600,
    }
    claims["rest_api"] = True
    claims.update(changes)
    return {key: value for key, value in claims.items() if value is not None}


def unsigned(header: dict, claims: dict) -> str:
    """A token with any header at all and a junk signature (PyJWT refuses to make some of these)."""

    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part(header)}.{part(claims)}.c2lnbmF0dXJl"


def rejection(client, token: str) -> dict:
    response = client.get(URL, headers={"X-STRINGEE-AUTH": token})
    assert response.status_code == 401, response.content
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    body = response.json()
    assert set(body) == {"error", "detail"}
    return body


@pytest.mark.django_db
def test_request_without_any_credentials_is_401_with_a_challenge(client):
    response = client.get(URL)
    assert response.status_code == 401
    assert "WWW-Authenticate" in response.headers
    assert response.json()["error"] == "not_authenticated"


@pytest.mark.django_db
def test_token_signed_with_another_secret_is_rejected(client, tenant_a):
    token = jwt.encode(
        claims_for(tenant_a),
        "not-the-secret-but-just-as-long-as-one",
        algorithm="HS256",
        headers=CTY,
    )
    assert rejection(client, token)["error"] == "bad_signature"


@pytest.mark.django_db
def test_token_naming_an_unknown_sid_is_rejected(client, tenant_a):
    token = jwt.encode(
        claims_for(tenant_a, iss="SK.nobody"), tenant_a.api_key_secret, algorithm="HS256"
    )
    assert rejection(client, token)["error"] == "unknown_sid"


@pytest.mark.django_db
def test_token_of_a_deactivated_project_is_rejected(client):
    project = ProjectFactory(is_active=False)
    assert rejection(client, make_rest_token(project))["error"] == "unknown_sid"


@pytest.mark.django_db
def test_expired_token_is_rejected(client, tenant_a):
    token = make_rest_token(tenant_a, ttl=60, now=int(time.time()) - 3600)
    body = rejection(client, token)
    assert body["error"] == "token_expired"
    assert "expired" in body["detail"]


@pytest.mark.django_db
def test_unsigned_alg_none_token_is_rejected(client, tenant_a):
    token = unsigned({"alg": "none", "typ": "JWT"}, claims_for(tenant_a))
    assert rejection(client, token)["error"] == "bad_algorithm"
    assert rejection(client, token.rsplit(".", 1)[0] + ".")["error"] == "bad_algorithm"


@pytest.mark.django_db
def test_hs512_token_signed_with_the_right_secret_is_rejected(client, tenant_a):
    secret = (
        tenant_a.api_key_secret * 2
    )  # long enough for SHA-512; the secret is still the project's
    tenant_a.api_key_secret = secret
    tenant_a.save()
    token = jwt.encode(claims_for(tenant_a), secret, algorithm="HS512", headers=CTY)
    assert rejection(client, token)["error"] == "bad_algorithm"


@pytest.mark.django_db
def test_rs256_header_is_rejected_without_trying_the_secret_as_a_key(client, tenant_a):
    token = unsigned({"alg": "RS256", "typ": "JWT"}, claims_for(tenant_a))
    assert rejection(client, token)["error"] == "bad_algorithm"


@pytest.mark.django_db
def test_client_token_without_rest_api_claim_cannot_call_the_api(client, tenant_a):
    token = jwt.encode(
        claims_for(tenant_a, rest_api=None, userId="user_1"), tenant_a.api_key_secret
    )
    assert rejection(client, token)["error"] == "not_a_rest_token"


@pytest.mark.django_db
def test_token_living_longer_than_24_hours_is_rejected(client, tenant_a):
    assert (
        rejection(client, make_rest_token(tenant_a, ttl=24 * 3600 + 60))["error"]
        == "lifetime_too_long"
    )


@pytest.mark.django_db
def test_future_iat_does_not_stretch_a_token_past_24_hours(client, tenant_a):
    far = int(time.time()) + 30 * 24 * 3600
    token = jwt.encode(claims_for(tenant_a, exp=far, iat=far - 60), tenant_a.api_key_secret)
    assert rejection(client, token)["error"] == "invalid_token"  # an iat in the future is refused


@pytest.mark.django_db
def test_token_missing_jti_is_rejected(client, tenant_a):
    token = jwt.encode(claims_for(tenant_a, jti=None), tenant_a.api_key_secret)
    assert rejection(client, token)["error"] == "invalid_token"


@pytest.mark.django_db
def test_garbage_token_is_rejected_as_malformed(client):
    assert rejection(client, "not.a.jwt")["error"] == "malformed_token"


@pytest.mark.django_db
def test_valid_token_works_in_either_header(client, tenant_a):
    AppUserFactory(project=tenant_a, user_id="alice")
    for headers in (
        {"X-STRINGEE-AUTH": make_rest_token(tenant_a)},
        {"Authorization": f"Bearer {make_rest_token(tenant_a)}"},
    ):
        response = client.get(URL, headers=headers)
        assert response.status_code == 200, response.content
        assert [row["user_id"] for row in response.json()["results"]] == ["alice"]


@pytest.mark.django_db
def test_bad_bearer_token_is_rejected_like_the_stringee_header(client, tenant_a):
    token = jwt.encode(
        claims_for(tenant_a), "wrong-secret-of-a-sensible-length-0000", algorithm="HS256"
    )
    response = client.get(URL, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json()["error"] == "bad_signature"


@pytest.mark.django_db
def test_staff_drf_token_sees_only_their_memberships(client, tenant_a, tenant_b):
    AppUserFactory(project=tenant_a, user_id="alice")
    AppUserFactory(project=tenant_b, user_id="bob")
    member = MembershipFactory(project=tenant_a, role=Membership.Role.VIEWER).user
    token = Token.objects.create(user=member)
    response = client.get(URL, headers={"Authorization": f"Token {token.key}"})
    assert response.status_code == 200
    assert [row["user_id"] for row in response.json()["results"]] == ["alice"]


@pytest.mark.django_db
def test_staff_session_sees_only_their_memberships(staff_client_for, tenant_a, tenant_b):
    AppUserFactory(project=tenant_a, user_id="alice")
    AppUserFactory(project=tenant_b, user_id="bob")
    response = staff_client_for(tenant_b).get(URL)
    assert [row["user_id"] for row in response.json()["results"]] == ["bob"]


@pytest.mark.django_db
def test_superuser_sees_every_project(admin_client, tenant_a, tenant_b):
    AppUserFactory(project=tenant_a, user_id="alice")
    AppUserFactory(project=tenant_b, user_id="bob")
    response = admin_client.get(URL)
    assert sorted(row["user_id"] for row in response.json()["results"]) == ["alice", "bob"]


@pytest.mark.django_db
def test_staff_without_membership_is_refused(client, tenant_a):
    client.force_login(StaffUserFactory())
    assert client.get(URL).status_code == 403


@pytest.mark.django_db
def test_a_token_works_on_every_request_until_it_expires(client, tenant_a):
    token = make_rest_token(tenant_a)
    for _ in range(3):
        assert client.get(URL, headers={"X-STRINGEE-AUTH": token}).status_code == 200


@pytest.mark.django_db
def test_two_tokens_signed_in_one_second_by_stringees_recipe_both_work(client, tenant_a):
    now = int(time.time())

    def stringee_recipe() -> str:  # jti = <SID>-<unix seconds>, as Stringee's samples sign it
        claims = {"jti": f"{tenant_a.api_key_sid}-{now}", "iss": tenant_a.api_key_sid}
        claims.update({"exp": now + 3600, "rest_api": True})
        return jwt.encode(claims, tenant_a.api_key_secret, algorithm="HS256", headers=CTY)

    first, second = stringee_recipe(), stringee_recipe()
    assert first == second
    assert client.get(URL, headers={"X-STRINGEE-AUTH": first}).status_code == 200
    assert client.get(URL, headers={"X-STRINGEE-AUTH": second}).status_code == 200


@pytest.mark.django_db
def test_a_reused_token_is_refused_once_past_its_exp(client, tenant_a):
    token = make_rest_token(tenant_a, ttl=60, now=int(time.time()) - 58)  # 1-2 s left
    assert client.get(URL, headers={"X-STRINGEE-AUTH": token}).status_code == 200
    time.sleep(3)
    assert rejection(client, token)["error"] == "token_expired"


@pytest.mark.django_db
@pytest.mark.parametrize("claim", ["exp", "iat", "nbf"])
@pytest.mark.parametrize(
    "value",
    ["1893456000", [1893456000], {"t": 1}, None, True, float("nan"), float("inf"), 10**30],
    ids=["numeric-string", "list", "object", "null", "boolean", "nan", "infinity", "huge"],
)
def test_a_time_claim_that_is_not_a_number_is_401(client, tenant_a, claim, value):
    claims = claims_for(tenant_a)
    claims[claim] = value
    body = rejection(client, unsigned({"alg": "HS256", "typ": "JWT", **CTY}, claims))
    assert body["error"] == "bad_claim_type"
    assert f"`{claim}`" in body["detail"]


@pytest.mark.django_db
def test_a_token_with_float_times_is_accepted(client, tenant_a):
    now = time.time()
    token = jwt.encode(
        claims_for(tenant_a, exp=now + 600.5, iat=now - 0.5), tenant_a.api_key_secret
    )
    assert client.get(URL, headers={"X-STRINGEE-AUTH": token}).status_code == 200


@pytest.mark.django_db
def test_an_issuer_holding_a_nul_is_401_not_a_server_error(client, tenant_a):
    token = jwt.encode(
        claims_for(tenant_a, iss="SK\x00x"), tenant_a.api_key_secret, algorithm="HS256"
    )
    assert rejection(client, token)["error"] == "unknown_sid"
