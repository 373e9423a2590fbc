"""Hand-over of answer_url routing decisions to the call's record, without SQL on the hot path.

The answer_url runs before Stringee has sent any event, and must not write to the database
(0 queries warm). It parks its decision in the cache under the call id; event ingestion
collects it when it creates or updates that call's record.
"""

from django.core.cache import cache

DECISION_TTL_SECONDS = 24 * 3600


def _key(project_id: int, call_id: str) -> str:
    return f"routing-decision:{project_id}:{call_id}"


def remember_decision(project_id: int, call_id: str, decision: dict) -> None:
    """Park what the answer_url decided (rule, SCCO, ...) for call `call_id`."""
    if call_id:
        cache.set(_key(project_id, call_id), decision, DECISION_TTL_SECONDS)


def collect_decision(project_id: int, call_id: str) -> dict | None:
    """The parked decision for `call_id`, if any (removed from the cache)."""
    key = _key(project_id, call_id)
    decision = cache.get(key)
    if decision is not None:
        cache.delete(key)
    return decision
