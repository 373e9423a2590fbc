"""Routing state that changes call by call: masking-session lookups, round-robin pointers and the
hourly count of calls sent to phone numbers.

`LiveState` serves the webhooks: a masking lookup is one indexed query (only for calls to a
proxy number); a round-robin pointer and the hourly count advance with the cache's atomic
`incr`, so the answer_url stays free of SQL writes. `PeekState` reads the same things and moves
nothing (the "simulate this call" page).
"""

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from portal.dialling import (
    current_hour,
    external_call_counted,
    external_calls_key,
    refused_calls_key,
)
from portal.webhooks.deadline import database_deadline
from routing.models import MaskingBinding

POINTER_SECONDS = 30 * 24 * 3600


def pointer_key(group_id: int) -> str:
    return f"ring-group-pointer:{group_id}"


def calls_refused_past_ceiling(project_ids: list[int]) -> int:
    """Calls of these projects not sent to a phone number in the last hour or so (this clock
    hour and the one before) because their hourly ceiling was reached."""
    hour = current_hour()
    keys = [refused_calls_key(pid, at) for pid in project_ids for at in (hour, hour - 1)]
    return sum(int(value or 0) for value in cache.get_many(keys).values())


class LiveState:
    """Masking sessions from the database; round-robin pointers moved atomically in the cache."""

    def masking_binding(self, proxy_id: int, kind: str, address: str) -> dict | None:
        """The caller's latest binding on the proxy: its peer, and whether its session is open.

        Bounded like every database read of the answer_url: a database that does not answer
        in time is an error, and the caller hears the project's fallback."""
        with database_deadline(settings.ROUTING_DATABASE_DEADLINE):
            row = (
                MaskingBinding.objects.filter(proxy_id=proxy_id, kind=kind, address=address)
                .order_by("-active", "-id")
                .values(
                    "active",
                    "peer_kind",
                    "peer_address",
                    "session_id",
                    "session__expires_at",
                    "session__closed_at",
                )
                .first()
            )
        if row is None:
            return None
        open_ = (
            row["active"]
            and row["session__closed_at"] is None
            and row["session__expires_at"] > timezone.now()
        )
        return {
            "open": open_,
            "session": row["session_id"],
            "peer_kind": row["peer_kind"],
            "peer_address": row["peer_address"],
        }

    def round_robin_start(self, group_id: int, size: int) -> int:
        """The next start position; each call takes its own (atomic in Redis and locmem)."""
        key = pointer_key(group_id)
        cache.add(key, 0, POINTER_SECONDS)
        try:
            position = cache.incr(key)
        except ValueError:  # evicted between add and incr
            cache.add(key, 1, POINTER_SECONDS)
            return 0
        return 0 if position is None else position - 1  # None: Redis unreachable, start at the top

    def external_call_allowed(self, project_id: int, ceiling: int | None) -> bool:
        """Count this call to a phone number; False past the project's ceiling this hour
        (portal.dialling.external_call_counted: callouts count in the same hour)."""
        return external_call_counted(project_id, ceiling)


class PeekState(LiveState):
    """Like LiveState, but the pointer is only read: the next real call would start there."""

    def round_robin_start(self, group_id: int, size: int) -> int:
        return cache.get(pointer_key(group_id), 0)

    def external_call_allowed(self, project_id: int, ceiling: int | None) -> bool:
        return ceiling is None or int(cache.get(external_calls_key(project_id)) or 0) < ceiling
