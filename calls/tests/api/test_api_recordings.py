"""The API's recordings: a call's recording link is the portal's own address, which streams the
audio (Range honoured) for the program's own project only; Stringee's link and token stay hidden."""

import pytest

from calls.models import Recording
from calls.tests.factories import CallRecordFactory
from portal.stringee.recordings import recording_download_url
from portal.tests.helpers import jwt_headers

pytestmark = pytest.mark.django_db

AUDIO = bytes(range(200)) * 10


def _recording(project, url: str, call_id: str) -> Recording:
    call = CallRecordFactory(project=project, call_id=call_id, recording_url=url)
    return Recording.objects.create(project=project, call=call, url=url, payload={}, format="mp3")


@pytest.fixture
def recordings(stringee, tenant_a, tenant_b):
    for project in (tenant_a, tenant_b):
        stringee.project_keys[project.api_key_sid] = project.api_key_secret
    stringee.add_recording("/v1/call/recording/a-1", AUDIO)
    stringee.add_recording("/v1/call/recording/b-1", b"b")
    return (
        _recording(tenant_a, recording_download_url("a-1"), "a-call"),
        _recording(tenant_b, recording_download_url("b-1"), "b-call"),
    )


def test_a_calls_recording_links_to_the_portal_not_to_stringee(client, tenant_a, recordings):
    mine, _theirs = recordings
    body = client.get(f"/api/v1/calls/{mine.call_id}/", headers=jwt_headers(tenant_a)).json()
    audio = f"http://testserver/api/v1/recordings/{mine.pk}/audio/"
    assert body["recording_url"] == audio
    assert body["recordings"][0]["url"] == audio
    assert body["recordings"][0]["problem"] is None
    assert "stringee" not in str(body).lower().replace("stringee_", "")


def test_the_audio_streams_with_range(client, tenant_a, recordings):
    mine, _theirs = recordings
    response = client.get(
        f"/api/v1/recordings/{mine.pk}/audio/",
        headers={**jwt_headers(tenant_a), "Range": "bytes=-100", "Accept": "audio/*"},
    )
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {len(AUDIO) - 100}-{len(AUDIO) - 1}/{len(AUDIO)}"
    assert b"".join(response.streaming_content) == AUDIO[-100:]


def test_another_projects_recording_is_404(client, tenant_a, recordings, stringee):
    _mine, theirs = recordings
    for path, accept in (
        (f"/api/v1/recordings/{theirs.pk}/", "application/json"),
        (f"/api/v1/recordings/{theirs.pk}/audio/", "audio/*"),  # as a player asks
    ):
        response = client.get(path, headers={**jwt_headers(tenant_a), "Accept": accept})
        assert (response.status_code, response.json()["error"]) == (404, "not_found")
    assert stringee.seen == []


def test_the_token_is_neither_in_the_answer_nor_its_headers(client, tenant_a, recordings, stringee):
    mine, _theirs = recordings
    response = client.get(f"/api/v1/recordings/{mine.pk}/audio/", headers=jwt_headers(tenant_a))
    shown = b"".join(response.streaming_content) + str(response.headers).encode()
    assert stringee.seen[0].token.encode() not in shown


def test_stringee_busy_is_the_apis_error_shape(client, tenant_a, recordings, stringee):
    mine, _theirs = recordings
    stringee.fail_with = [429]
    response = client.get(f"/api/v1/recordings/{mine.pk}/audio/", headers=jwt_headers(tenant_a))
    assert response.status_code == 503
    assert response.json() == {
        "error": "busy",
        "detail": "Stringee is busy right now. Try again in a minute.",
    }
    assert response["Retry-After"] == "30"


def test_a_link_off_stringee_has_no_url_and_says_why(client, tenant_a, stringee):
    recording = _recording(tenant_a, "https://user:pw@evil.example/r.mp3", "bad-call")
    body = client.get(f"/api/v1/recordings/{recording.pk}/", headers=jwt_headers(tenant_a)).json()
    assert body["url"] is None
    assert "not on Stringee" in body["problem"]
    assert "user:pw" not in str(body)
    response = client.get(
        f"/api/v1/recordings/{recording.pk}/audio/", headers=jwt_headers(tenant_a)
    )
    assert (response.status_code, response.json()["error"]) == (403, "not_stringee")
    assert stringee.seen == []
