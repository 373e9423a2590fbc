"""Room tokens carry exactly the claims Stringee documents (contract §0), and no user id."""

import jwt
import pytest

from portal.api.authentication import make_rest_token
from portal.tests.factories import AppUserFactory
from routing.conference import make_room_token
from routing.models import ConferenceRoom

pytestmark = pytest.mark.django_db


@pytest.fixture
def room(tenant_a):
    return ConferenceRoom.objects.create(
        project=tenant_a, name="Weekly", stringee_room_id="room-vn-1-ABC"
    )


def test_room_token_claims_are_exactly_the_documented_ones(tenant_a, room):
    token = make_room_token(room, control=True, record=True, ttl=600, now=1_700_000_000)
    header = jwt.get_unverified_header(token)
    assert header == {"alg": "HS256", "typ": "JWT", "cty": "stringee-api;v=1"}
    claims = jwt.decode(
        token, tenant_a.api_key_secret, algorithms=["HS256"], options={"verify_exp": False}
    )
    assert claims == {
        "jti": f"{tenant_a.api_key_sid}-1700000000",
        "iss": tenant_a.api_key_sid,
        "exp": 1_700_000_600,
        "roomId": "room-vn-1-ABC",
        "permissions": {"publish": True, "subscribe": True, "control_room": True},
        "record": True,
    }


def test_room_token_from_the_api_has_no_user_id_and_does_not_record_by_default(
    client, tenant_a, room
):
    AppUserFactory(project=tenant_a, user_id="alice")
    response = client.post(
        f"/api/v1/conference-rooms/{room.pk}/token/",
        {"user_id": "alice", "ttl": 600},
        content_type="application/json",
        HTTP_X_STRINGEE_AUTH=make_rest_token(tenant_a),
    )
    assert response.status_code == 200, response.json()
    claims = jwt.decode(response.json()["token"], tenant_a.api_key_secret, algorithms=["HS256"])
    assert set(claims) == {"jti", "iss", "exp", "roomId", "permissions", "record"}
    assert claims["permissions"] == {"publish": True, "subscribe": True, "control_room": False}
    assert claims["record"] is False


def test_room_token_api_still_refuses_an_unknown_app_user(client, tenant_a, room):
    response = client.post(
        f"/api/v1/conference-rooms/{room.pk}/token/",
        {"user_id": "nobody"},
        content_type="application/json",
        HTTP_X_STRINGEE_AUTH=make_rest_token(tenant_a),
    )
    assert response.status_code == 400
