"""Conference rooms: Stringee room tokens for a project's rooms (HS256, project API key secret).

The SCCO has no conference action (contract §2): an answer_url cannot put a phone caller into a
room. Rooms live in Stringee's room (video conference) API; the portal keeps each tenant's
room records and signs the token an app presents to join one. The claims are exactly the
documented ones (contract §0, /docs/room-token): `jti`, `iss`, `exp`, `roomId`,
`permissions` {publish, subscribe, control_room} and `record`. A room token names no user:
the app's own client token says who joins.
"""

import time

import jwt

from portal.api.authentication import ALGORITHM, CONTENT_TYPE
from routing.models import ConferenceRoom


def make_room_token(
    room: ConferenceRoom,
    *,
    control: bool = False,
    record: bool = False,
    ttl: int = 3600,
    now: int | None = None,
) -> str:
    """A token to join `room`: publish and subscribe, control if asked, recorded if asked."""
    project = room.project
    now = int(time.time()) if now is None else now
    claims = {
        "jti": f"{project.api_key_sid}-{now}",
        "iss": project.api_key_sid,
        "exp": now + ttl,
        "roomId": room.stringee_room_id,
        "permissions": {"publish": True, "subscribe": True, "control_room": control},
        "record": record,
    }
    return jwt.encode(
        claims, project.api_key_secret, algorithm=ALGORITHM, headers={"cty": CONTENT_TYPE}
    )
