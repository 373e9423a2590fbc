"""Fixtures of the two-factor sign-in tests."""

import pytest

from portal.tests.factories import StaffUserFactory


@pytest.fixture
def superuser(db):
    return StaffUserFactory(is_superuser=True, username="root")
