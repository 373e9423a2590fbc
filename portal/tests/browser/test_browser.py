"""Staff pages in a real browser (headless Chromium): charts drawn, call story, conditional fields,
flow."""

import pytest

from calls.models import CallRecord
from calls.tests.factories import CallRecordFactory
from portal.devtools import demo
from portal.devtools.browser import has_sideways_scroll, unavailable_reason
from portal.models import VirtualNumber
from portal.tests.factories import ProjectFactory, VirtualNumberFactory
from portal.tests.helpers import demo_tenant_logged_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        unavailable_reason() is not None, reason=f"no browser: {unavailable_reason()}"
    ),
]
WAIT = 20


@pytest.fixture
def demo_site(transactional_db, live_server, browser):
    project = demo_tenant_logged_in(browser, live_server, calls=120, days=20)  # last 30 days
    other = ProjectFactory(name="Other tenant")
    number = VirtualNumberFactory(project=other, number="+84899100999")
    for _ in range(7):
        CallRecordFactory(project=other, virtual_number=number, status="answered")
    return project


def wait_for(browser, script: str):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, WAIT).until(lambda driver: driver.execute_script(script))


def test_owner_lands_on_a_dashboard_charted_from_their_tenant_only(browser, live_server, demo_site):
    assert browser.current_url.rstrip("/").endswith("/admin")
    drawn = wait_for(
        browser,
        "var ids = ['chart-per-hour', 'chart-direction', 'chart-number'];"
        "return typeof Chart !== 'undefined' && ids.every(function (id) {"
        "  return Chart.getChart(document.getElementById(id)); }) && ids;",
    )
    assert len(drawn) == 3
    labels = browser.execute_script(
        "return Chart.getChart(document.getElementById('chart-number')).data.labels;"
    )
    assert "+84899100999" not in labels
    assert set(labels) <= {str(n) for n in VirtualNumber.objects.filter(project=demo_site)} | {
        "No number (app calls)"
    }
    thirty = CallRecord.objects.filter(project=demo_site).count()
    assert browser.find_element("id", "calls-30").text == str(thirty)
    assert "Other tenant" not in browser.page_source
    assert not has_sideways_scroll(browser)


def test_a_call_shows_its_player_and_decisions(browser, live_server, demo_site):
    record = CallRecord.objects.filter(project=demo_site).exclude(recording_url="").first()
    browser.get(f"{live_server.url}/admin/calls/callrecord/{record.pk}/change/")
    player = browser.find_element("css selector", "#story-recordings audio")
    recording = record.recordings.first()
    # The portal plays it (with the project's token, never shown): not Stringee's link.
    assert player.get_attribute("src") == (
        f"{live_server.url}/admin/calls/recording/{recording.pk}/audio/"
    )
    decisions = browser.find_element("id", "story-decisions")
    assert decisions.find_elements("css selector", "a[href*='/admin/routing/']")
    raw = browser.find_element("id", "story-raw")
    assert (
        raw.get_attribute("open") is None and not raw.find_element("tag name", "pre").is_displayed()
    )


def test_the_rule_form_shows_only_the_chosen_destinations_fields(browser, live_server, demo_site):
    from selenium.webdriver.support.ui import Select

    browser.get(f"{live_server.url}/admin/routing/routingrule/add/")
    kind = Select(browser.find_element("name", "destination_kind"))

    def shown(field: str) -> bool:
        return browser.find_element("css selector", f".form-row.field-{field}").is_displayed()

    assert shown("destination_user") and not shown("destination_number")
    kind.select_by_value("phone")
    assert (
        shown("destination_number") and not shown("destination_user") and not shown("message_text")
    )
    kind.select_by_value("message")
    assert shown("message_text") and shown("message_audio") and not shown("destination_number")
    Select(browser.find_element("name", "called_kind")).select_by_value("pattern")
    assert shown("called_pattern") and not shown("called_number")


def test_a_numbers_page_draws_where_its_calls_go(browser, live_server, demo_site):
    number = VirtualNumber.objects.get(number=demo.PHONE_NUMBER_1)
    browser.get(f"{live_server.url}/admin/portal/virtualnumber/{number.pk}/change/")
    wait_for(browser, "return document.querySelector('pre.mermaid svg') !== null;")
    picture = browser.find_element("css selector", "pre.mermaid svg").text
    assert "Flow 3: number 1 rings user_1" in picture and "Ring app user user_1" in picture
    assert "Flow 4" not in picture
    assert not has_sideways_scroll(browser)
