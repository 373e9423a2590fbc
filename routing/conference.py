"""Conference rooms: Stringee room access tokens for a project's app users (HS256, project secret).

The SCCO has no conference action (contract §5): an answer_url cannot put a phone caller into a
room. Rooms live in Stringee's room (video conference) API; the portal keeps each tenant's
room records and signs the token an app presents to join one. Claims (inferred, documented in
docs/masking-and-groups.md): the client token's `jti`, `iss`, `exp`, `userId`, plus `roomId`
and `permissions` {publish, subscribe, control_room, record}.
"""

import time

import jwt

from portal.api.authentication import ALGORITHM, CONTENT_TYPE
from routing.models import ConferenceRoom


def make_room_token(
    room: ConferenceRoom, user_id: str, *, control: bool = False, ttl: int = 3600, now: int | None = None
) -> str:
    """A token letting app user `user_id` join `room` (publish and subscribe; control if asked)."""
    project = room.project
    now = int(time.time()) if now is None else now
    claims = {
        "jti": f"{project.api_key_sid}-{now}",
        "iss": project.api_key_sid,
        "exp": now + ttl,
        "userId": user_id,
        "roomId": room.stringee_room_id,
        "permissions": {"publish": True, "subscribe": True, "control_room": control, "record": False},
    }
    return jwt.encode(claims, project.api_key_secret, algorithm=ALGORITHM, headers={"cty": CONTENT_TYPE})
