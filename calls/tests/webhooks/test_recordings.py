"""Recording callbacks are stored once and linked to their call's record, whichever comes first."""

import pytest
from django.urls import reverse

from calls.models import CallRecord, Recording
from calls.playback import recording_problem
from calls.tests.factories import T0, call_event, event_url_of, post_json, recording_url_of

pytestmark = pytest.mark.django_db

LINK = "https://files.stringee.com/rec/call-r1.mp3"


def test_recording_links_to_the_calls_record(client, tenant_a):
    post_json(client, event_url_of(tenant_a), call_event("r1", "answered", T0))
    response = post_json(
        client, recording_url_of(tenant_a), {"call_id": "r1", "url": LINK, "duration": 12.5}
    )
    assert (response.status_code, response.json()) == (200, {"ok": True})
    record = CallRecord.objects.get(project=tenant_a, call_id="r1")
    (recording,) = record.recordings.all()
    assert (recording.url, recording.duration_seconds, recording.format) == (LINK, 12.5, "mp3")
    assert record.recording_url == LINK


def test_recording_before_any_event_creates_the_record_events_then_fill(client, tenant_a):
    post_json(
        client, recording_url_of(tenant_a), {"callId": "r2", "download_url": LINK, "format": "wav"}
    )
    post_json(client, event_url_of(tenant_a), call_event("r2", "answered", T0))
    record = CallRecord.objects.get(project=tenant_a, call_id="r2")
    assert (record.status, record.recording_url, record.recordings.get().format) == (
        "answered",
        LINK,
        "wav",
    )


def test_call_id_may_come_in_the_query_string(client, tenant_a):
    response = post_json(client, recording_url_of(tenant_a) + "?callId=r3", {"recording_url": LINK})
    assert response.status_code == 200
    assert Recording.objects.get().call.call_id == "r3"


def test_repeated_recording_callback_is_stored_once(client, tenant_a):
    for _ in range(2):
        post_json(client, recording_url_of(tenant_a), {"call_id": "r4", "url": LINK})
    assert Recording.objects.count() == 1


@pytest.mark.parametrize(
    "body, code",
    [
        ({"url": LINK}, "missing_call_id"),
        ({"call_id": "r5"}, "missing_url"),
        ({"call_id": "r5", "url": "not a link"}, "bad_field"),
        ({"call_id": "r5", "url": LINK, "duration": "long"}, "bad_field"),
        (b"[1]", "not_an_object"),
    ],
)
def test_unreadable_recording_callback_is_400_and_stores_nothing(client, tenant_a, body, code):
    response = post_json(client, recording_url_of(tenant_a), body)
    assert (response.status_code, response.json()["error"]) == (400, code)
    assert not Recording.objects.exists()
    assert not CallRecord.objects.exists()


def test_recording_url_is_what_the_routing_app_links_to(tenant_a):
    url = reverse("recording-event", args=(tenant_a.stringee_project_id, tenant_a.webhook_token))
    assert url == recording_url_of(tenant_a)


def test_another_projects_token_cannot_post_recordings(client, tenant_a, tenant_b):
    url = f"/recording_event/{tenant_a.stringee_project_id}/{tenant_b.webhook_token}/"
    assert post_json(client, url, {"call_id": "r6", "url": LINK}).status_code == 403
    assert not Recording.objects.exists()


def test_recording_callback_may_be_a_get_with_query_parameters(client, tenant_a):
    post_json(client, event_url_of(tenant_a), call_event("r6", "answered", T0))
    response = client.get(
        recording_url_of(tenant_a), {"callId": "r6", "recording_url": LINK, "duration": "7"}
    )
    assert (response.status_code, response.json()) == (200, {"ok": True})
    recording = CallRecord.objects.get(project=tenant_a, call_id="r6").recordings.get()
    assert (recording.url, recording.duration_seconds) == (LINK, 7.0)


def test_cdr_like_post_to_the_event_url_attaches_its_recording(client, tenant_a, tenant_b):
    from calls.models import CallEvent

    post_json(client, event_url_of(tenant_a), call_event("r7", "answered", T0))
    cdr_post = {"call_id": "r7", "recordingUrl": LINK, "duration": 30, "project_id": 1}
    for _ in range(2):
        assert post_json(client, event_url_of(tenant_a), cdr_post).status_code == 200
    record = CallRecord.objects.get(project=tenant_a, call_id="r7")
    assert (record.recording_url, record.status, record.recordings.count()) == (LINK, "answered", 1)
    assert CallEvent.objects.filter(
        project=tenant_a, call_id="r7", payload__recordingUrl=LINK
    ).exists()
    assert not Recording.objects.filter(project=tenant_b).exists()


def test_cdr_like_post_with_a_bad_link_is_rejected_whole(client, tenant_a):
    from calls.models import CallEvent

    response = post_json(
        client, event_url_of(tenant_a), {"call_id": "r8", "recording_url": "ftp://x/y.mp3"}
    )
    assert (response.status_code, response.json()["error"]) == (400, "bad_field")
    assert not CallEvent.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"call_id": "r9", "url": "call-vn-1-REC9"},
        {"call_id": "r9", "recording_id": "call-vn-1-REC9"},
        {"callId": "r9", "recordingId": "call-vn-1-REC9"},
    ],
)
def test_a_bare_recording_id_becomes_stringees_download_link(client, tenant_a, settings, body):
    settings.STRINGEE_API_URL = "https://asia-3.api.stringee.com"
    response = post_json(client, recording_url_of(tenant_a), body)
    assert response.status_code == 200
    recording = Recording.objects.get()
    assert recording.url == "https://asia-3.api.stringee.com/v1/call/recording/call-vn-1-REC9"
    assert recording.call.recording_url == recording.url


def test_a_link_with_a_password_is_kept_but_never_fetched(client, tenant_a):
    link = "https://user:pw@127.0.0.1:6379/x.mp3"
    response = post_json(client, recording_url_of(tenant_a), {"call_id": "r10", "url": link})
    assert response.status_code == 200  # Stringee's callback is not refused
    assert "not on Stringee" in recording_problem(Recording.objects.get())
