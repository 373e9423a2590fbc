"""The fake Stringee (portal/tests/stringee/conftest.py) for the API's outbound calls."""

from portal.tests.stringee.conftest import stringee  # noqa: F401
