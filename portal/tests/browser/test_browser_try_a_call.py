""" "Try a call" in a real browser: a call through the demo's IVR, keys pressed on the keypad."""

import pytest

from calls.models import CallRecord
from portal.devtools.browser import has_sideways_scroll, unavailable_reason, wait_for_next_page
from portal.tests.helpers import demo_tenant_logged_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        unavailable_reason() is not None, reason=f"no browser: {unavailable_reason()}"
    ),
]
WAIT = 30


@pytest.fixture(autouse=True)
def _patient_database(settings):
    settings.ROUTING_DATABASE_DEADLINE = 5
    settings.WEBHOOK_DATABASE_DEADLINE = 5


def click_and_wait(browser, css: str) -> None:
    page = browser.find_element("tag name", "html")
    browser.find_element("css selector", css).click()
    wait_for_next_page(browser, page, WAIT)


def test_a_call_through_the_demo_ivr_pressing_keys_on_the_keypad(
    transactional_db, live_server, browser
):
    from selenium.webdriver.support.ui import Select

    project = demo_tenant_logged_in(browser, live_server, calls=10, days=7)
    browser.get(f"{live_server.url}/admin/calls/callrecord/try/{project.stringee_project_id}/")
    Select(browser.find_element("name", "kind")).select_by_value("app")
    for name, value in (("from_", "user_1"), ("to", "hotline")):
        field = browser.find_element("name", name)
        field.clear()
        field.send_keys(value)
    click_and_wait(browser, "input[name=start]")
    transcript = browser.find_element("id", "transcript").text
    assert "Welcome to the demo hotline" in transcript
    click_and_wait(browser, "#keypad button[value='3']")
    assert "Sales. Press 1" in browser.find_element("id", "transcript").text
    click_and_wait(browser, "#keypad button[value='1']")
    click_and_wait(browser, "#outcomes button[value='busy']")
    transcript = browser.find_element("id", "transcript").text
    assert "The caller presses 3." in transcript and "The caller presses 1." in transcript
    assert "Decided by rule IVR hotline for app users" in transcript
    assert "menu Sales" in transcript
    story = browser.find_element("id", "call-story").get_attribute("href")
    record = CallRecord.objects.get(project=project, is_test=True)
    assert story.endswith(f"/admin/calls/callrecord/{record.pk}/change/")
    assert not has_sideways_scroll(browser)
