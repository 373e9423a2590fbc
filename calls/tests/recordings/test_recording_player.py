"""Recordings play in the portal: the player on a call's page and on the recordings list asks the
portal, which streams the audio from Stringee with the project's token (Range honoured, so
seeking works). Another tenant's recording is a 404; a link off Stringee's servers is said so in
plain words and never shown as a link; Stringee's failures are words, never a server error."""

import logging

import pytest

from calls.models import Recording
from calls.tests.factories import CallRecordFactory
from portal.models import Membership
from portal.stringee.recordings import recording_download_url

pytestmark = pytest.mark.django_db

AUDIO = b"ID3" + bytes(range(256)) * 20
NOT_STRINGEE = "This recording&#x27;s link is not on Stringee&#x27;s servers"


def _recording(project, url: str, call_id: str = "call-1") -> Recording:
    call = CallRecordFactory(project=project, call_id=call_id, recording_url=url)
    return Recording.objects.create(project=project, call=call, url=url, payload={}, format="mp3")


@pytest.fixture
def recordings(stringee, tenant_a, tenant_b):
    for project in (tenant_a, tenant_b):
        stringee.project_keys[project.api_key_sid] = project.api_key_secret
    stringee.add_recording("/v1/call/recording/a-1", AUDIO)
    stringee.add_recording("/v1/call/recording/b-1", b"tenant b's audio")
    mine = _recording(tenant_a, recording_download_url("a-1"))
    theirs = _recording(tenant_b, recording_download_url("b-1"), "call-b")
    return mine, theirs


def _audio(recording: Recording) -> str:
    return f"/admin/calls/recording/{recording.pk}/audio/"


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_the_call_page_plays_the_recording_through_the_portal(
    staff_client_for, tenant_a, recordings
):
    mine, _theirs = recordings
    html = staff_client_for(tenant_a).get(f"/admin/calls/callrecord/{mine.call_id}/change/")
    page = html.content.decode()
    assert f'<audio controls preload="none" src="{_audio(mine)}" data-recording-player>' in page
    assert "/v1/call/recording/" not in page.split('id="story-raw"')[0]  # not in the story
    assert 'href="http' not in page.split('id="story-recordings"')[1].split("</div>")[0]


def test_the_recordings_list_plays_through_the_portal(staff_client_for, tenant_a, recordings):
    mine, _theirs = recordings
    page = staff_client_for(tenant_a, Membership.Role.VIEWER).get("/admin/calls/recording/")
    assert f'src="{_audio(mine)}"' in page.content.decode()
    assert 'src="http' not in page.content.decode()


def test_a_range_is_answered_206_with_the_right_bytes(staff_client_for, tenant_a, recordings):
    mine, _theirs = recordings
    response = staff_client_for(tenant_a).get(_audio(mine), headers={"Range": "bytes=10-29"})
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 10-29/{len(AUDIO)}"
    assert response["Content-Type"] == "audio/mpeg"
    assert _body(response) == AUDIO[10:30]


def test_the_whole_recording_is_200(staff_client_for, tenant_a, recordings, stringee):
    mine, _theirs = recordings
    response = staff_client_for(tenant_a).get(_audio(mine))
    assert (response.status_code, _body(response)) == (200, AUDIO)
    assert response["Accept-Ranges"] == "bytes"
    assert stringee.seen[-1].range == ""


def test_another_tenants_staff_get_404_and_stringee_is_not_asked(
    staff_client_for, tenant_a, recordings, stringee
):
    _mine, theirs = recordings
    assert staff_client_for(tenant_a).get(_audio(theirs)).status_code == 404
    assert stringee.seen == []


def test_someone_signed_out_is_sent_to_sign_in(client, recordings, stringee):
    mine, _theirs = recordings
    response = client.get(_audio(mine))
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert stringee.seen == []


def test_a_superuser_plays_any_tenants_recording(admin_client, recordings):
    _mine, theirs = recordings
    assert _body(admin_client.get(_audio(theirs))) == b"tenant b's audio"


def test_the_token_is_never_in_a_page_an_answer_or_the_log(
    staff_client_for, tenant_a, recordings, stringee, caplog
):
    caplog.set_level(logging.DEBUG)
    mine, _theirs = recordings
    client = staff_client_for(tenant_a)
    answers = [
        client.get(_audio(mine), headers={"Range": "bytes=0-"}),
        client.get(f"/admin/calls/callrecord/{mine.call_id}/change/"),
        client.get("/admin/calls/recording/"),
        client.get(f"/admin/calls/recording/{mine.pk}/change/"),
    ]
    shown = b"".join(
        (_body(a) if a.streaming else a.content) + str(a.headers).encode() for a in answers
    )
    token = stringee.seen[0].token
    assert token and token.encode() not in shown and token not in caplog.text
    assert tenant_a.api_key_secret.encode() not in shown


@pytest.mark.parametrize(
    "url",
    ["https://user:pw@api.stringee.com/v1/call/recording/x", "http://127.0.0.1:6379/"],
)
def test_a_link_off_stringee_is_said_in_words_and_never_a_link(
    staff_client_for, tenant_a, stringee, url
):
    recording = _recording(tenant_a, url)
    client = staff_client_for(tenant_a)
    for page in (
        f"/admin/calls/callrecord/{recording.call_id}/change/",
        "/admin/calls/recording/",
        f"/admin/calls/recording/{recording.pk}/change/",
    ):
        html = client.get(page).content.decode()
        assert NOT_STRINGEE in html, page
        assert f'href="{url}' not in html and f'src="{url}' not in html, page
        assert "user:pw" not in html, page  # support reads the link as text, without password
    response = client.get(_audio(recording))
    assert response.status_code == 403
    assert "not on Stringee" in response.content.decode()
    assert stringee.seen == []


@pytest.mark.parametrize(
    "status, answer, words",
    [
        (404, 503, "still preparing this recording"),
        (429, 503, "Stringee is busy"),
        (500, 502, "Stringee failed"),
        (502, 502, "Stringee failed"),
    ],
)
def test_stringee_failures_are_words_for_staff_never_a_server_error(
    staff_client_for, tenant_a, recordings, stringee, status, answer, words
):
    mine, _theirs = recordings
    stringee.fail_with = [status]
    response = staff_client_for(tenant_a).get(_audio(mine))
    assert response.status_code == answer
    assert words in response.content.decode()
    assert response["Content-Type"].startswith("text/plain")
    if status in (404, 429):
        assert int(response["Retry-After"]) > 0


def test_vietnamese_staff_read_the_reason_in_vietnamese(staff_client_for, tenant_a, recordings):
    mine, _theirs = recordings
    client = staff_client_for(tenant_a)
    client.cookies["django_language"] = "vi"
    recording = _recording(tenant_a, "http://127.0.0.1:6379/", "call-2")
    response = client.get(_audio(recording))
    assert response.status_code == 403
    assert "Stringee" in response.content.decode()
    assert "not on Stringee" not in response.content.decode()
    assert mine  # the other recording is untouched
