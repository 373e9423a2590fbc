"""A connected Stringee account whose API is a local fake server (fake_stringee.py)."""

import re
import time

import pytest

from portal.tests.stringee.fake_stringee import ACCOUNT_KEY, ACCOUNT_SID, FakeStringee


@pytest.fixture
def stringee(httpserver, settings):
    """The fake Stringee, with the portal connected to it; retries without waiting."""
    fake = FakeStringee()
    httpserver.expect_request(re.compile(r"/v1/.*")).respond_with_handler(fake)
    settings.STRINGEE_API_URL = httpserver.url_for("").rstrip("/")
    settings.STRINGEE_ACCOUNT_SID = ACCOUNT_SID
    settings.STRINGEE_ACCOUNT_KEY = ACCOUNT_KEY
    settings.STRINGEE_RETRY_WAIT = 0
    settings.STRINGEE_READ_TIMEOUT = 2
    settings.PUBLIC_BASE_URL = "https://portal.example.com"
    yield fake
    if fake.delay:  # let the server finish the requests the client gave up on
        time.sleep(fake.delay * settings.STRINGEE_ATTEMPTS + 0.2)
