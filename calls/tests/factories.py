"""Factories and payload builders for the calls app's tests."""

import json

import factory
from django.utils import timezone

from calls.models import CallDecision, CallEvent, CallRecord
from portal.tests.factories import ProjectFactory

T0 = 1_700_000_000_000  # epoch ms of a call's first event in these tests


def call_event(call_id: str, status: str, at_ms: int = T0, **extra) -> dict:
    """A Stringee event_url payload for an app user calling a phone (contract §3)."""
    return {
        "call_status": status,
        "project_id": 1,
        "call_id": call_id,
        "timestamp_ms": at_ms,
        "type": "stringee_call",
        "request_from_user_id": "user_1",
        "account_sid": "AC.test",
        "from": {"number": "user_1", "alias": "user_1", "is_online": True, "type": "internal"},
        "to": {
            "number": "84901234567",
            "alias": "84901234567",
            "is_online": False,
            "type": "external",
        },
        "clientCustomData": "",
        **extra,
    }


def ended(
    call_id: str, at_ms: int, cause: str, answer_duration: int = 0, duration: int = 0
) -> dict:
    return call_event(
        call_id,
        "ended",
        at_ms,
        callCreatedReason="CLIENT_MAKE_CALL",
        endCallCause=cause,
        endedBy="EXTERNAL",
        callType="CALL",
        duration=duration,
        answerDuration=answer_duration,
    )


def post_json(client, url: str, payload) -> object:
    body = payload if isinstance(payload, bytes | str) else json.dumps(payload)
    return client.post(url, data=body, content_type="application/json")


def event_url_of(project) -> str:
    return f"/event_url/{project.stringee_project_id}/{project.webhook_token}/"


def recording_url_of(project) -> str:
    return f"/recording_event/{project.stringee_project_id}/{project.webhook_token}/"


class CallRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CallRecord
        skip_postgeneration_save = True

    project = factory.SubFactory(ProjectFactory)
    call_id = factory.Sequence(lambda n: f"call-vn-1-TEST{n:06d}-1700000000000")
    direction = CallRecord.Direction.APP_TO_PHONE
    from_user = "user_1"
    to_number = "+84901234567"
    status = CallRecord.Status.ANSWERED
    started_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def routing(record, create, decisions, **kwargs):
        """`routing=[...]`: the call's routing decisions, stored as CallDecision rows in order."""
        if create and decisions:
            CallDecision.objects.bulk_create(
                CallDecision(
                    project=record.project,
                    call_id=record.call_id,
                    token=f"{record.pk}-{index}",
                    parked_us=index,
                    decision=decision,
                )
                for index, decision in enumerate(decisions)
            )


class CallEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CallEvent

    project = factory.SubFactory(ProjectFactory)
    call_id = factory.Sequence(lambda n: f"call-vn-1-EVT{n:06d}-1700000000000")
    status = "ringing"
    timestamp_ms = factory.Sequence(lambda n: T0 + n)
    payload = factory.LazyAttribute(lambda o: call_event(o.call_id, o.status, o.timestamp_ms))
