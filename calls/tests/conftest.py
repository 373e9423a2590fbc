"""Fixtures of the calls app's tests: the fake Stringee of portal/tests/stringee/ (recordings are
fetched from it)."""

from portal.tests.stringee.conftest import stringee

__all__ = ["stringee"]
