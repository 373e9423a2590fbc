"""Staff export a list in a real browser (headless Chromium, 1400 px): the button answers at once,
the Exports page lists the file with its download link, in English and Vietnamese, and its table
fits without scrolling sideways."""

import pytest

from portal.devtools.browser import has_sideways_scroll, unavailable_reason
from portal.models import Export
from portal.tests.helpers import demo_tenant_logged_in

pytestmark = [
    pytest.mark.usefixtures("on_commit_at_once", "background_jobs_at_once"),
    pytest.mark.browser,
    pytest.mark.skipif(
        unavailable_reason() is not None, reason=f"no browser: {unavailable_reason()}"
    ),
]
WAIT = 20
TABLE_FITS = (
    "var box = document.querySelector('#changelist .results');"
    "return box.scrollWidth <= box.clientWidth + 1;"
)


def test_export_button_then_exports_page_in_both_languages(transactional_db, live_server, browser):
    from selenium.webdriver.support.ui import WebDriverWait

    demo_tenant_logged_in(browser, live_server, calls=40, days=5)
    browser.get(f"{live_server.url}/admin/calls/callrecord/?status__exact=answered")
    browser.find_element("css selector", ".object-tools .export-button").click()
    WebDriverWait(browser, WAIT).until(lambda d: d.find_elements("css selector", ".messagelist"))
    message = browser.find_element("css selector", ".messagelist").text
    assert "Your export is being prepared." in message
    assert "?status__exact=answered" in browser.current_url  # back on the same list

    browser.find_element("link text", "See your exports").click()
    WebDriverWait(browser, WAIT).until(lambda d: d.find_elements("css selector", "#result_list"))
    (export,) = Export.objects.all()
    row = browser.find_element("css selector", "#result_list tbody tr").text
    assert "Call records" in row and "Status: answered" in row and "Ready" in row
    assert (
        browser.find_element("link text", "Download")
        .get_attribute("href")
        .endswith(f"/admin/portal/export/{export.pk}/download/")
    )
    assert browser.execute_script(TABLE_FITS) and not has_sideways_scroll(browser)

    browser.find_element("css selector", "#language-switcher button[value='vi']").click()
    WebDriverWait(browser, WAIT).until(
        lambda d: d.execute_script("return document.documentElement.lang;") == "vi"
    )
    row = browser.find_element("css selector", "#result_list tbody tr").text
    assert "Nhật ký cuộc gọi" in row and "Sẵn sàng" in row and "Trạng thái: answered" in row
    assert browser.find_element("link text", "Tải xuống")
    assert browser.execute_script(TABLE_FITS) and not has_sideways_scroll(browser)
    browser.find_element("css selector", "#language-switcher button[value='en']").click()
