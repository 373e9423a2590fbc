"""`python -m bench.inputs`: what reading a webhook's input costs, by hand (as the portal does) and
through DRF serializers of the same fields, on the same input, in one process (µs per read,
best of 5 rounds). No database, no HTTP.
"""

from __future__ import annotations

import json
import os
import timeit
from collections.abc import Callable

PHONE_CALL = {
    "from": "84901234567",
    "to": "84899199866",
    "fromInternal": "false",
    "uuid": "6f1c0e2a-0000-4000-8000-000000000001",
}
APP_CALL = {
    "from": "user_1",
    "to": "user_2",
    "fromInternal": "true",
    "userId": "user_1",
    "projectId": "1000",
    "custom": "",
    "callId": "call-vn-1-ABCD-1700000000000",
}
EVENT = json.dumps(
    {
        "call_status": "ended",
        "project_id": 22512,
        "request_from_user_id": "",
        "account_sid": "AC00000000",
        "timestamp_ms": 1700000060000,
        "type": "stringee_call",
        "call_id": "call-vn-1-XXXX-1700000000000",
        "endCallCause": "USER_END_CALL",
        "endedBy": "EXTERNAL",
        "duration": 60,
        "answerDuration": 48,
        "from": {"number": "84912345678", "alias": "84912345678", "type": "external"},
        "to": {"number": "agent_7", "alias": "842473000111", "type": "internal"},
    }
).encode()


def readers() -> list[tuple[str, Callable[[], object], Callable[[], object]]]:
    """(input, read by hand, read by a DRF serializer of the same fields)."""
    from rest_framework import serializers

    from calls.ingest import parse_event
    from portal.webhooks.fields import parse
    from routing.webhook_inputs import CALL_QUERY

    # The same query fields as DRF serializer fields (what the OpenAPI schema is built from).
    QuerySerializer = type(
        "QuerySerializer",
        (serializers.Serializer,),
        {name: kind.schema() for name, kind in CALL_QUERY.items()},
    )

    class Party(serializers.Serializer):
        number = serializers.CharField(max_length=128, required=False, allow_blank=True)
        alias = serializers.CharField(max_length=128, required=False, allow_blank=True)
        type = serializers.CharField(max_length=16, required=False, allow_blank=True)

    class EventSerializer(serializers.Serializer):
        """The event fields calls.ingest checks, as a DRF serializer."""

        call_id = serializers.CharField(max_length=128)
        call_status = serializers.CharField(max_length=64, required=False, allow_blank=True)
        type = serializers.CharField(max_length=64, required=False)
        timestamp_ms = serializers.IntegerField(
            min_value=946_684_800_000, max_value=4_102_444_800_000
        )
        duration = serializers.IntegerField(min_value=0, max_value=1_000_000, required=False)
        answerDuration = serializers.IntegerField(min_value=0, max_value=1_000_000, required=False)
        project_id = serializers.IntegerField(min_value=0, required=False)
        endCallCause = serializers.CharField(max_length=256, required=False, allow_blank=True)
        endedBy = serializers.CharField(max_length=64, required=False, allow_blank=True)
        request_from_user_id = serializers.CharField(
            max_length=128, required=False, allow_blank=True
        )
        from_party = Party(required=False, source="from")
        to = Party(required=False)

    def _drf(serializer_class, data) -> dict:
        serializer = serializer_class(data=data)
        serializer.is_valid()
        return serializer.validated_data

    def _drf_event(body: bytes) -> dict:
        data = json.loads(body)
        data["from_party"] = data.pop("from", {})
        return _drf(EventSerializer, data)

    return [
        ("answer_url query, phone call", lambda: parse(CALL_QUERY, PHONE_CALL),
         lambda: _drf(QuerySerializer, PHONE_CALL)),
        ("answer_url query, app call", lambda: parse(CALL_QUERY, APP_CALL),
         lambda: _drf(QuerySerializer, APP_CALL)),
        ("event_url body (JSON parsed too)", lambda: parse_event(EVENT), lambda: _drf_event(EVENT)),
    ]  # fmt: skip


def micros(function, number: int) -> float:
    return min(timeit.repeat(function, number=number, repeat=5)) / number * 1e6


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("DEBUG", "true")
    import django

    django.setup()
    print("| input | by hand | DRF serializer |")
    print("|---|---|---|")
    for name, by_hand, drf in readers():
        print(f"| {name} | {micros(by_hand, 20000):.1f} µs | {micros(drf, 5000):.1f} µs |")


if __name__ == "__main__":
    main()
