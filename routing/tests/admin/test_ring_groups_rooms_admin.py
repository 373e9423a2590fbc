"""Group-call pages and APIs stay inside the tenant; room tokens are signed for one app user and
room."""

import jwt
import pytest

from portal.api.authentication import make_rest_token
from portal.models import Membership
from portal.tests.factories import AppUserFactory
from routing.models import ConferenceRoom, RingGroup

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("page", ["ringgroup", "conferenceroom"])
def test_admin_lists_show_only_own_groups_and_rooms(staff_client_for, tenant_a, tenant_b, page):
    RingGroup.objects.create(project=tenant_a, name="mine_a")
    RingGroup.objects.create(project=tenant_b, name="theirs_b")
    ConferenceRoom.objects.create(project=tenant_a, name="mine_a")
    ConferenceRoom.objects.create(project=tenant_b, name="theirs_b")
    html = staff_client_for(tenant_a).get(f"/admin/routing/{page}/").content.decode()
    assert "mine_a" in html
    assert "theirs_b" not in html


def test_room_token_names_the_room_and_is_signed_with_the_project_secret(client, tenant_a):
    AppUserFactory(project=tenant_a, user_id="alice")
    room = ConferenceRoom.objects.create(
        project=tenant_a, name="Weekly", stringee_room_id="room-vn-1-ABC"
    )
    response = client.post(
        f"/api/v1/conference-rooms/{room.pk}/token/",
        {"user_id": "alice"},
        content_type="application/json",
        HTTP_X_STRINGEE_AUTH=make_rest_token(tenant_a),
    )
    assert response.status_code == 200, response.json()
    claims = jwt.decode(response.json()["token"], tenant_a.api_key_secret, algorithms=["HS256"])
    assert (claims["roomId"], claims["iss"]) == ("room-vn-1-ABC", tenant_a.api_key_sid)
    assert "userId" not in claims  # Stringee's room token names no user
    assert claims["permissions"]["control_room"] is False


def test_ring_group_api_refuses_another_tenants_app_user(client, tenant_a, tenant_b):
    intruder = AppUserFactory(project=tenant_b)
    response = client.post(
        "/api/v1/ring-groups/",
        {
            "name": "Desk",
            "destination_kind": "message",
            "members": [{"kind": "user", "user": intruder.pk}],
        },
        content_type="application/json",
        HTTP_X_STRINGEE_AUTH=make_rest_token(tenant_a),
    )
    assert response.status_code == 400
    assert not RingGroup.objects.exists()


def test_members_are_numbered_in_ring_order_and_an_added_one_rings_last(staff_client_for, tenant_a):
    first, second, added = (AppUserFactory(project=tenant_a) for _ in range(3))
    rows = [(2, second), (1, first), (0, added)]  # the new row kept its blank number (0)
    form = {
        "project": tenant_a.pk,
        "name": "Support",
        "strategy": "sequential",
        "destination_kind": "voicemail",
        "members-TOTAL_FORMS": len(rows),
        "members-INITIAL_FORMS": 0,
        "members-MIN_NUM_FORMS": 0,
        "members-MAX_NUM_FORMS": 1000,
    }
    for index, (position, user) in enumerate(rows):
        form.update(
            {
                f"members-{index}-position": position,
                f"members-{index}-kind": "user",
                f"members-{index}-user": user.pk,
                f"members-{index}-timeout": 15,
            }
        )
    owner = staff_client_for(tenant_a, Membership.Role.OWNER)
    response = owner.post("/admin/routing/ringgroup/add/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    members = RingGroup.objects.get(name="Support").members.order_by("position")
    assert [(m.position, m.user_id) for m in members] == [
        (1, first.pk),
        (2, second.pk),
        (3, added.pk),
    ]
