"""A staff user switches the portal to Tiếng Việt with the header switcher: the dashboard, a rule
form with an error and a call's story are in Vietnamese, with Vietnamese dates and numbers."""

import unicodedata

import pytest

from calls.models import CallRecord
from portal.devtools.browser import has_sideways_scroll, unavailable_reason
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
    return demo_tenant_logged_in(browser, live_server, calls=60, days=10)


def switch_to(browser, code: str) -> None:
    """Press the header's language button for `code` and wait for the page it reloads."""
    from selenium.webdriver.support.ui import WebDriverWait

    browser.find_element("css selector", f"#language-switcher button[value='{code}']").click()
    WebDriverWait(browser, WAIT).until(
        lambda d: (
            d.execute_script("return document.documentElement.lang;") == code
            and d.execute_script("return document.readyState;") == "complete"
        )
    )


def test_header_switcher_turns_dashboard_rule_form_and_call_story_vietnamese(
    browser, live_server, demo_site
):
    assert browser.find_element("tag name", "h1").text.startswith("Dashboard")

    labels = browser.find_elements("css selector", "#language-switcher button")
    names = [unicodedata.normalize("NFC", label.text) for label in labels]
    assert names == ["English", unicodedata.normalize("NFC", "Tiếng Việt")]
    switch_to(browser, "vi")

    assert browser.find_element("tag name", "html").get_attribute("lang") == "vi"
    assert browser.find_element("tag name", "h1").text.startswith("Bảng điều khiển")
    assert "cuộc gọi hôm nay" in browser.find_element("css selector", ".dash-tiles").text
    assert "Lỗi định tuyến gần đây" in browser.page_source
    assert not has_sideways_scroll(browser)

    browser.get(f"{live_server.url}/admin/routing/routingrule/add/")
    browser.find_element("css selector", "input[name=_save]").click()
    error = browser.find_element("css selector", ".errornote").text
    assert "sửa" in error  # "Vui lòng sửa lỗi bên dưới."
    assert "Quy tắc định tuyến" in browser.find_element("css selector", ".breadcrumbs").text
    assert "Số nhỏ hơn chạy trước." in browser.page_source  # the priority's help text
    assert not has_sideways_scroll(browser)

    record = CallRecord.objects.filter(project=demo_site, decisions__isnull=False).first()
    browser.get(f"{live_server.url}/admin/calls/callrecord/{record.pk}/change/")
    story = browser.find_element("id", "call-story").text
    assert "Cuộc gọi đã được định tuyến thế nào" in story
    assert "Dòng thời gian" in story
    assert "/" in browser.find_element("css selector", "#story-timeline .when").text  # d/m/Y
    assert not has_sideways_scroll(browser)

    switch_to(browser, "en")  # the choice is remembered until changed back
    assert "How it was routed" in browser.find_element("id", "call-story").text
