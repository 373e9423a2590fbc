"""Headless Chromium for browser tests and screenshots: Debian's chromium and chromedriver via
Selenium."""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Callable

CHROMIUM = os.environ.get("CHROMIUM_BINARY", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
ARGUMENTS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--hide-scrollbars",
    "--autoplay-policy=no-user-gesture-required",  # a page's player may start without a click
]


def unavailable_reason() -> str | None:
    """Why no browser can be started here (None: it can)."""
    if importlib.util.find_spec("selenium") is None:
        return "selenium is not installed (pip install -r requirements.txt)"
    for path in (CHROMIUM, CHROMEDRIVER):
        if not (os.path.exists(path) or shutil.which(path)):
            return f"{path} is missing (apt-get install -y chromium chromium-driver)"
    return None


def new_driver(width: int = 1400, height: int = 900):
    """A headless Chromium window of `width` by `height` CSS pixels."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ARGUMENTS:
        options.add_argument(argument)
    options.add_argument(f"--window-size={width},{height}")
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
    )
    return driver


def log_in(
    driver,
    base_url: str,
    username: str,
    password: str,
    timeout: float = 30,
    second_factor: Callable[[], str] | None = None,
) -> None:
    """Log in through the admin's own login form and wait until the admin has opened.

    The click only starts the form's POST; waiting for the page that follows it makes sure the
    session cookie is set before the caller opens the next page. An account with two-factor
    sign-in is then asked for a code: `second_factor()` gives it (portal.devtools.second_factor).
    """
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(f"{base_url}/admin/login/?next=/admin/")
    driver.find_element(By.NAME, "username").send_keys(username)
    driver.find_element(By.NAME, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    WebDriverWait(driver, timeout).until(
        lambda d: (
            "/login/" not in d.current_url
            and (d.find_elements(By.ID, "user-tools") or d.find_elements(By.NAME, "code"))
        ),
        message=f"logging in as {username} did not reach the admin",
    )
    if "/second-factor/verify/" in driver.current_url and second_factor is not None:
        driver.find_element(By.NAME, "code").send_keys(second_factor())
        driver.find_element(By.CSS_SELECTOR, "#second-factor-verify input[type=submit]").click()
        WebDriverWait(driver, timeout).until(
            lambda d: d.find_elements(By.ID, "user-tools"),
            message=f"the code of {username}'s app did not open the admin",
        )


def has_sideways_scroll(driver) -> bool:
    return bool(
        driver.execute_script(
            "return document.documentElement.scrollWidth > window.innerWidth + 1;"
        )
    )


def wait_for_next_page(driver, old_page, seconds: float = 30) -> None:
    """Wait until `old_page` (the `<html>` element found before a click) has left the window.

    Selenium's `staleness_of` knows only the stale-element error; chromedriver sometimes answers
    a look at a node of a document being replaced with "Node with given id does not belong to
    the document" instead, which means the same."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    def left(_driver) -> bool:
        try:
            old_page.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as error:
            if "does not belong to the document" in str(error):
                return True
            raise
        return False

    WebDriverWait(driver, seconds).until(left)
