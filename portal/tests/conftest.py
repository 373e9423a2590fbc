"""Fixtures of the browser tests (headless Chromium through Selenium)."""

import pytest

from portal.devtools.browser import new_driver


@pytest.fixture(scope="module")
def browser():
    driver = new_driver()
    yield driver
    driver.quit()
