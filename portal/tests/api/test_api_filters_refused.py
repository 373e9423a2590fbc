"""List filters the API cannot read are a 400 naming the parameter, never a quiet "no filter"."""

import pytest

from portal.api.authentication import make_rest_token
from portal.tests.factories import AppUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def get(client, tenant_a):
    headers = {"HTTP_X_STRINGEE_AUTH": make_rest_token(tenant_a)}
    return lambda url: client.get(url, **headers)


@pytest.mark.parametrize(
    "url, parameter",
    [
        ("/api/v1/calls/?started_after=yesterday", "started_after"),
        ("/api/v1/calls/?started_before=2026-13-45", "started_before"),
        ("/api/v1/users/?is_active=maybe", "is_active"),
        ("/api/v1/users/?is_active=", "is_active"),
        ("/api/v1/users/?is_active=true&is_active=false", "is_active"),
        ("/api/v1/rules/?enabled=perhaps", "enabled"),
        ("/api/v1/numbers/?status=", "status"),
        ("/api/v1/calls/?status=bogus", "status"),
        ("/api/v1/numbers/inventory/?pattern=", "pattern"),
        ("/api/v1/users/?page_size=201", "page_size"),
        ("/api/v1/events/?page_size=0", "page_size"),
    ],
)
def test_a_filter_it_cannot_read_is_400_naming_it(get, url, parameter):
    response = get(url)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["error"] == "invalid"
    assert parameter in body["fields"]
    assert body["detail"].startswith(f"{parameter}: ")


def test_readable_booleans_still_filter_and_unknown_parameters_are_ignored(get, tenant_a):
    AppUserFactory(project=tenant_a, user_id="on", is_active=True)
    AppUserFactory(project=tenant_a, user_id="off", is_active=False)
    for value, expected in (("true", ["on"]), ("false", ["off"]), ("True", ["on"])):
        response = get(f"/api/v1/users/?is_active={value}&colour=blue")
        assert response.status_code == 200
        assert [row["user_id"] for row in response.json()["results"]] == expected
