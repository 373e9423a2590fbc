"""Per-project throttling: past the budget a tenant gets 429 in the portal's error shape."""

import pytest

from portal.api.authentication import make_rest_token


@pytest.fixture
def two_per_minute(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"project": "2/min"},
    }


@pytest.mark.django_db
def test_exceeding_the_project_budget_is_429_with_json_error(client, tenant_a, two_per_minute):
    token = make_rest_token(tenant_a)  # one token, reused as Stringee's clients do

    def headers():
        return {"X-STRINGEE-AUTH": token}

    assert [client.get("/api/v1/users/", headers=headers()).status_code for _ in range(2)] == [
        200,
        200,
    ]
    response = client.get("/api/v1/numbers/", headers=headers())
    assert response.status_code == 429
    body = response.json()
    assert body["error"] == "throttled"
    assert "throttled" in body["detail"].lower()
    assert int(response.headers["Retry-After"]) > 0


@pytest.mark.django_db
def test_one_tenant_exhausting_its_budget_leaves_others_untouched(
    client, tenant_a, tenant_b, two_per_minute
):
    def a():  # a fresh token each time: the budget is the project's, not the token's
        return {"X-STRINGEE-AUTH": make_rest_token(tenant_a)}

    for _ in range(3):
        client.get("/api/v1/users/", headers=a())
    assert client.get("/api/v1/users/", headers=a()).status_code == 429
    assert (
        client.get(
            "/api/v1/users/", headers={"X-STRINGEE-AUTH": make_rest_token(tenant_b)}
        ).status_code
        == 200
    )
