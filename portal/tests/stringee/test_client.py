"""The Stringee client against a local server playing Stringee: the tokens it signs, what it
retries (no connection, no answer, 429, 5xx) and what it does not (4xx), and the plain reason of
each failure. Secrets never reach the log."""

import logging
import time

import jwt
import pytest

from portal.models import Project
from portal.stringee.client import StringeeClient
from portal.stringee.errors import StringeeError
from portal.stringee.numbers import number_update, numbers_list
from portal.stringee.tokens import project_token
from portal.tests.stringee.fake_stringee import ACCOUNT_KEY, ACCOUNT_SID


def test_numbers_are_read_with_an_account_token(stringee):
    stringee.add_number(487, "+84901234567")
    with StringeeClient() as client:
        numbers = list(numbers_list(client))
    assert [(n.id, n.number) for n in numbers] == [(487, "+84901234567")]
    (request,) = stringee.seen
    assert request.header == {"alg": "HS256", "typ": "JWT", "cty": "stringee-api;v=1"}
    assert request.claims["iss"] == ACCOUNT_SID
    assert request.claims["rest_api"] is True
    assert request.claims["jti"].startswith(ACCOUNT_SID)
    assert 0 < request.claims["exp"] - time.time() <= 3600


def test_project_token_is_signed_by_the_projects_api_key():
    project = Project(
        api_key_sid="SK.0.abc", api_key_secret="project-secret-0123456789abcdef0123456789"
    )
    token = project_token(project)
    claims = jwt.decode(token, "project-secret-0123456789abcdef0123456789", algorithms=["HS256"])
    assert claims["iss"] == "SK.0.abc"
    assert claims["rest_api"] is True
    assert jwt.get_unverified_header(token)["cty"] == "stringee-api;v=1"
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, ACCOUNT_KEY, algorithms=["HS256"])


def test_bad_credentials_are_said_so_and_not_retried(stringee, settings):
    settings.STRINGEE_ACCOUNT_KEY = "not-the-account-key-0123456789abcdef"
    with StringeeClient() as client, pytest.raises(StringeeError) as caught:
        list(numbers_list(client))
    assert caught.value.code == "bad_credentials"
    assert "bad credentials" in str(caught.value)
    assert len(stringee.seen) == 1


@pytest.mark.parametrize("status", [429, 500, 502, 503])
def test_busy_stringee_is_asked_again_then_reported(stringee, status):
    stringee.fail_with = [status] * 3
    with StringeeClient() as client, pytest.raises(StringeeError) as caught:
        list(numbers_list(client))
    assert len(stringee.seen) == 3
    assert caught.value.code == ("busy" if status in (429, 503) else "fault")
    assert str(caught.value).startswith("Stringee")


def test_a_retry_that_succeeds_is_not_a_failure(stringee):
    stringee.add_number(487, "+84901234567")
    stringee.fail_with = [503, 429]
    with StringeeClient() as client:
        assert len(list(numbers_list(client))) == 1
    assert len(stringee.seen) == 3


def test_a_silent_stringee_is_no_answer_after_the_read_timeout(stringee, settings):
    settings.STRINGEE_READ_TIMEOUT = 0.2
    settings.STRINGEE_ATTEMPTS = 2
    stringee.delay = 0.5
    started = time.monotonic()
    with StringeeClient() as client, pytest.raises(StringeeError) as caught:
        list(numbers_list(client))
    assert caught.value.code == "no_answer"
    assert "did not answer in time" in str(caught.value)
    assert time.monotonic() - started < 2.5


def test_no_server_at_all_is_no_answer(settings):
    settings.STRINGEE_API_URL = "http://127.0.0.1:9"  # nothing listens on the discard port
    settings.STRINGEE_ACCOUNT_SID = ACCOUNT_SID
    settings.STRINGEE_ACCOUNT_KEY = ACCOUNT_KEY
    settings.STRINGEE_RETRY_WAIT = 0
    with StringeeClient() as client, pytest.raises(StringeeError) as caught:
        list(numbers_list(client))
    assert caught.value.code == "no_answer"


def test_a_refusal_in_the_envelope_keeps_stringees_words(stringee):
    stringee.refuse_message = "Number is locked"
    with StringeeClient() as client, pytest.raises(StringeeError) as caught:
        number_update(client, stringee_id=487, project_id=1, answer_url="a", event_url="b")
    assert caught.value.code == "refused"
    assert str(caught.value) == "Stringee refused the change: Number is locked"
    assert len(stringee.seen) == 1


def test_an_unknown_number_is_not_found(stringee):
    with StringeeClient() as client, pytest.raises(StringeeError) as caught:
        number_update(client, stringee_id=1, project_id=None, answer_url="", event_url="")
    assert caught.value.code == "not_found"


def test_without_an_account_nothing_is_sent(settings):
    settings.STRINGEE_ACCOUNT_SID = ""
    with pytest.raises(StringeeError) as caught:
        StringeeClient()
    assert caught.value.code == "not_connected"


def test_the_account_key_and_tokens_never_reach_the_log(stringee, settings, caplog):
    settings.STRINGEE_ACCOUNT_KEY = "wrong-key-that-must-stay-secret-0123"
    caplog.set_level(logging.DEBUG)
    stringee.fail_with = [503]
    with StringeeClient() as client, pytest.raises(StringeeError):
        list(numbers_list(client))
    logged = caplog.text
    assert "wrong-key-that-must-stay-secret" not in logged
    assert "eyJ" not in logged  # no JWT
    assert "/v1/number" in logged


def test_a_reply_that_is_not_json_cannot_be_read(httpserver, stringee):
    httpserver.clear()
    httpserver.expect_request("/v1/number").respond_with_data("<html>maintenance</html>")
    with StringeeClient() as client, pytest.raises(StringeeError) as caught:
        list(numbers_list(client))
    assert caught.value.code == "bad_reply"
    assert str(caught.value) == "Stringee answered something the portal cannot read"
