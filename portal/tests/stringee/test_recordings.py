"""Fetching a recording's audio from Stringee: the project's token in the header (never the URL),
`Range` forwarded, and only Stringee's own hosts: no user info in the link, no other host or port,
no redirect leaving them, no private address behind a Stringee name."""

import logging
import socket

import jwt
import pytest

from portal.stringee.recordings import (
    RecordingUnavailable,
    forwarded_range,
    link_problem,
    recording_download,
    recording_download_url,
    recording_open,
)
from portal.tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

AUDIO = bytes(range(256)) * 40  # 10,240 bytes


@pytest.fixture
def project(stringee):
    project = ProjectFactory()
    stringee.project_keys[project.api_key_sid] = project.api_key_secret
    return project


def _read(stream) -> bytes:
    return b"".join(stream.chunks())


def test_a_recording_is_fetched_with_the_projects_token_in_the_header(stringee, project):
    url = recording_download_url("call-vn-1-abc")
    stringee.add_recording("/v1/call/recording/call-vn-1-abc", AUDIO)
    stream = recording_open(project=project, url=url)
    assert (stream.status, _read(stream)) == (200, AUDIO)
    (seen,) = stringee.seen
    assert seen.token and seen.query == {}  # the token is a header, not `?access_token=`
    assert jwt.get_unverified_header(seen.token)["cty"] == "stringee-api;v=1"
    claims = jwt.decode(seen.token, project.api_key_secret, algorithms=["HS256"])
    assert (claims["iss"], claims["rest_api"]) == (project.api_key_sid, True)


def test_a_range_is_forwarded_and_answered_206(stringee, project):
    stringee.add_recording("/v1/call/recording/r1", AUDIO)
    stream = recording_open(
        project=project, url=recording_download_url("r1"), range_header="bytes=100-199"
    )
    assert stream.status == 206
    assert stream.headers["content-range"] == f"bytes 100-199/{len(AUDIO)}"
    assert _read(stream) == AUDIO[100:200]
    assert stringee.seen[0].range == "bytes=100-199"


def test_another_projects_token_is_refused_by_stringee_and_said_so(stringee, project):
    other = ProjectFactory()  # Stringee does not know its key
    stringee.add_recording("/v1/call/recording/r1", AUDIO)
    with pytest.raises(RecordingUnavailable) as caught:
        recording_open(project=other, url=recording_download_url("r1"))
    assert caught.value.code == "bad_credentials"
    assert "API key" in str(caught.value)


@pytest.mark.parametrize(
    "status, code, words",
    [
        (404, "processing", "still preparing"),
        (429, "busy", "busy"),
        (500, "fault", "failed"),
        (503, "fault", "failed"),
    ],
)
def test_stringee_failures_become_plain_words(stringee, project, status, code, words):
    stringee.add_recording("/v1/call/recording/r1", AUDIO)
    stringee.fail_with = [status]
    with pytest.raises(RecordingUnavailable) as caught:
        recording_open(project=project, url=recording_download_url("r1"))
    assert caught.value.code == code
    assert words in str(caught.value)
    assert caught.value.retry


def test_a_silent_stringee_is_no_answer(stringee, project, settings):
    settings.STRINGEE_RECORDING_READ_TIMEOUT = 0.2
    stringee.delay = 0.5
    stringee.add_recording("/v1/call/recording/r1", AUDIO)
    with pytest.raises(RecordingUnavailable) as caught:
        recording_open(project=project, url=recording_download_url("r1"))
    assert caught.value.code == "no_answer"
    stringee.delay = 0.2  # the fixture waits for the server before the next test


@pytest.mark.parametrize(
    "url",
    [
        "https://user:pw@api.stringee.com/v1/call/recording/r1",  # credentials in the link
        "http://127.0.0.1:6379/",  # Redis on loopback
        "https://evil.example/v1/call/recording/r1",  # not Stringee
        "https://api.stringee.com.evil.example/r1",  # looks like Stringee
        "https://api.stringee.com:8443/r1",  # a Stringee name on another port
        "ftp://api.stringee.com/r1",
        "not a link",
    ],
)
def test_links_off_stringees_hosts_are_refused_before_any_request(stringee, project, url):
    assert link_problem(url) == "not_stringee"
    with pytest.raises(RecordingUnavailable) as caught:
        recording_open(project=project, url=url)
    assert caught.value.code == "not_stringee"
    assert str(caught.value) == (
        "This recording's link is not on Stringee's servers; it cannot be played here."
    )
    assert stringee.seen == []


def test_another_port_of_the_api_host_is_refused(stringee, project, httpserver):
    assert httpserver.url_for("/").startswith("http://localhost:")  # STRINGEE_API_URL's host
    other_port = f"http://localhost:{httpserver.port + 1}/v1/call/recording/r1"
    assert link_problem(other_port) == "not_stringee"
    with pytest.raises(RecordingUnavailable):
        recording_open(project=project, url=other_port)


@pytest.mark.parametrize(
    "url",
    [
        "https://api.stringee.com/v1/call/recording/r1",
        "https://asia-3.api.stringee.com/v1/call/recording/r1",  # a regional host
        "http://api.stringee.com/v1/call/recording/r1",  # asked over https
    ],
)
def test_stringees_own_hosts_are_allowed(url):
    assert link_problem(url) is None


def test_the_allowed_hosts_are_a_setting(settings):
    settings.STRINGEE_RECORDING_HOSTS = ["files.example.net"]
    assert link_problem("https://files.example.net/r1.mp3") is None
    assert link_problem("https://asia-3.api.stringee.com/r1.mp3") == "not_stringee"
    assert link_problem("https://api.stringee.com/r1.mp3") is None  # STRINGEE_API_URL's host
    assert link_problem("https://sub.files.example.net/r1.mp3") == "not_stringee"


def test_a_stringee_name_resolving_to_a_private_address_is_refused(stringee, project, monkeypatch):
    def resolve(host, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", 443))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    with pytest.raises(RecordingUnavailable) as caught:
        recording_open(project=project, url="https://rec.stringee.com/r1.mp3")
    assert caught.value.code == "not_stringee"


def test_a_redirect_within_stringee_is_followed(stringee, project, httpserver):
    stringee.add_recording("/v1/files/r1.mp3", AUDIO)
    stringee.redirects["/v1/call/recording/r1"] = httpserver.url_for("/v1/files/r1.mp3")
    stream = recording_open(project=project, url=recording_download_url("r1"))
    assert (stream.status, _read(stream)) == (200, AUDIO)
    assert [seen.path for seen in stringee.seen] == ["/v1/call/recording/r1", "/v1/files/r1.mp3"]


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1:{port}/v1/files/r1.mp3",  # the same server under another name
        "http://127.0.0.1:6379/",
        "https://evil.example/r1.mp3",
        "https://user:pw@api.stringee.com/r1.mp3",
    ],
)
def test_a_redirect_leaving_stringee_is_refused(stringee, project, httpserver, target):
    stringee.add_recording("/v1/files/r1.mp3", AUDIO)
    stringee.redirects["/v1/call/recording/r1"] = target.format(port=httpserver.port)
    with pytest.raises(RecordingUnavailable) as caught:
        recording_open(project=project, url=recording_download_url("r1"))
    assert caught.value.code == "not_stringee"
    assert [seen.path for seen in stringee.seen] == ["/v1/call/recording/r1"]


def test_endless_redirects_are_given_up(stringee, project, httpserver):
    stringee.redirects["/v1/call/recording/r1"] = httpserver.url_for("/v1/call/recording/r1")
    with pytest.raises(RecordingUnavailable) as caught:
        recording_open(project=project, url=recording_download_url("r1"))
    assert caught.value.code == "refused"
    assert len(stringee.seen) == 4


def test_a_project_without_an_api_key_is_told_so(stringee):
    project = ProjectFactory(api_key_secret="")
    with pytest.raises(RecordingUnavailable) as caught:
        recording_open(project=project, url=recording_download_url("r1"))
    assert caught.value.code == "not_connected"
    assert stringee.seen == []


def test_the_whole_download_is_read_for_a_copy(stringee, project):
    stringee.add_recording("/v1/call/recording/r1", AUDIO)
    assert b"".join(recording_download(project=project, url=recording_download_url("r1"))) == AUDIO


@pytest.mark.parametrize(
    "asked, forwarded",
    [
        ("bytes=0-", "bytes=0-"),
        ("bytes=100-199", "bytes=100-199"),
        ("bytes=-500", "bytes=-500"),
        ("bytes=0-1,5-9", None),  # several ranges: the whole file instead
        ("bytes=-", None),
        ("items=0-1", None),
        ("bytes=0-1\r\nX-Evil: 1", None),
        (None, None),
    ],
)
def test_only_one_plain_byte_range_is_forwarded(asked, forwarded):
    assert forwarded_range(asked) == forwarded


def test_the_token_never_reaches_the_log(stringee, project, caplog):
    caplog.set_level(logging.DEBUG)
    stringee.add_recording("/v1/call/recording/r1", AUDIO)
    stringee.fail_with = [429]
    with pytest.raises(RecordingUnavailable):
        recording_open(project=project, url=recording_download_url("r1"))
    _read(recording_open(project=project, url=recording_download_url("r1")))
    tokens = {seen.token for seen in stringee.seen}
    assert all(token and token not in caplog.text for token in tokens)
    assert project.api_key_secret not in caplog.text
