"""One call end to end: answer_url decides, events arrive, the recording lands, all on one
record."""

import pytest

from calls.models import CallRecord
from calls.tests.factories import T0, call_event, ended, event_url_of, post_json
from portal.tests.factories import AppUserFactory, VirtualNumberFactory
from routing.tests.factories import RoutingRuleFactory

pytestmark = pytest.mark.django_db

LINK = "https://files.stringee.com/rec/story.mp3"


def test_recorded_phone_call_to_a_user_tells_its_whole_story_on_one_record(client, tenant_a):
    number = VirtualNumberFactory(project=tenant_a, number="+84899100001")
    AppUserFactory(project=tenant_a, user_id="agent_1")
    RoutingRuleFactory(
        project=tenant_a,
        name="Hotline to agent",
        called_kind="number",
        called_number=number,
        record=True,
        destination_kind="user",
        destination_user=tenant_a.app_users.get(),
    )
    answer = client.get(
        f"/answer_url/{tenant_a.stringee_project_id}/{tenant_a.webhook_token}/",
        {"from": "84901234567", "to": "84899100001", "fromInternal": "false", "uuid": "story-1"},
    )
    record_action, connect = answer.json()
    assert connect["to"] == {"type": "internal", "number": "agent_1", "alias": "84899100001"}

    caller = {"number": "84901234567", "alias": "84901234567", "type": "external"}
    for status, at in [("created", T0), ("ringing", T0 + 1000), ("answered", T0 + 4000)]:
        post_json(
            client, event_url_of(tenant_a), call_event("story-1", status, at, **{"from": caller})
        )
    post_json(client, event_url_of(tenant_a), ended("story-1", T0 + 64000, "200 OK", 60, 64))
    recording_path = record_action["eventUrl"].split("://", 1)[1].split("/", 1)[1]
    response = post_json(client, "/" + recording_path, {"url": LINK, "duration": 60})
    assert response.status_code == 200

    record = CallRecord.objects.get(project=tenant_a, call_id="story-1")
    assert record.status == "answered"
    assert record.recording_url == LINK
    assert "Hotline to agent" in str(record.routing)
