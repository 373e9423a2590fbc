"""The demo's superuser sets up two-factor sign-in in a real browser, as a person with an
authenticator app would (the code computed from the secret the page shows), signs out, and
signs in again with the password and a code to reach the dashboard."""

import time

import pytest

from portal.devtools import demo
from portal.devtools.browser import has_sideways_scroll, unavailable_reason
from portal.devtools.second_factor import code_from_secret

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        unavailable_reason() is not None, reason=f"no browser: {unavailable_reason()}"
    ),
]
WAIT = 20


def wait_until(browser, condition, message: str):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, WAIT).until(condition, message=message)


def type_password(browser, base_url: str) -> None:
    browser.get(f"{base_url}/admin/login/?next=/admin/")
    browser.find_element("name", "username").send_keys(demo.ADMIN_USERNAME)
    browser.find_element("name", "password").send_keys(demo.ADMIN_PASSWORD)
    browser.find_element("css selector", "input[type=submit]").click()
    wait_until(browser, lambda d: "/login/" not in d.current_url, "the password was refused")


def test_superuser_enrols_signs_out_and_signs_in_with_a_code(
    browser, live_server, transactional_db
):
    demo.seed_demo()
    browser.delete_all_cookies()
    type_password(browser, live_server.url)
    assert "/admin/second-factor/enrol/" in browser.current_url
    assert browser.find_element("css selector", ".second-factor-qr svg").is_displayed()
    assert not has_sideways_scroll(browser)
    secret = browser.find_element("id", "second-factor-secret").text
    used_step = int(time.time() // 30)
    browser.find_element("name", "code").send_keys(code_from_secret(secret))
    browser.find_element("css selector", "#second-factor-enrol input[type=submit]").click()
    codes = wait_until(
        browser,
        lambda d: d.find_elements("css selector", "#recovery-codes code"),
        "no recovery codes after the first code",
    )
    assert len(codes) == 10
    browser.find_element("id", "second-factor-continue").click()
    wait_until(browser, lambda d: d.find_elements("id", "user-tools"), "the dashboard")
    assert browser.current_url.rstrip("/").endswith("/admin")

    browser.find_element("css selector", "#logout-form button").click()
    wait_until(browser, lambda d: not d.find_elements("id", "user-tools"), "signing out")
    browser.get(f"{live_server.url}/admin/")
    assert "/admin/login/" in browser.current_url

    type_password(browser, live_server.url)
    assert "/admin/second-factor/verify/" in browser.current_url
    browser.find_element("name", "code").send_keys(code_from_secret(secret, after_step=used_step))
    browser.find_element("css selector", "#second-factor-verify input[type=submit]").click()
    wait_until(browser, lambda d: d.find_elements("id", "user-tools"), "the dashboard")
    assert browser.current_url.rstrip("/").endswith("/admin")
    assert browser.find_element("id", "content").find_elements("css selector", "h1")
