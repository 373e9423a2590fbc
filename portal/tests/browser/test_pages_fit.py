"""No admin page a tenant owner reaches is wider than the screen (1,400 px), in English and in
Vietnamese, with the demo tenant's objects present: every page reached by following links from
the dashboard, one of each kind."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from portal.devtools import demo
from portal.devtools.browser import unavailable_reason
from portal.tests.helpers import admin_pages, demo_tenant_logged_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        unavailable_reason() is not None, reason=f"no browser: {unavailable_reason()}"
    ),
]
SCREEN = 1400
WIDTH = "return [document.documentElement.scrollWidth, window.innerWidth];"


def test_every_page_an_owner_reaches_fits_the_screen_in_both_languages(
    transactional_db, live_server, browser
):
    demo_tenant_logged_in(browser, live_server, calls=60, days=7)
    crawler = Client()
    crawler.force_login(User.objects.get(username=demo.OWNER_USERNAME))
    paths = [
        path
        for path, response in admin_pages(crawler, per_shape=1)
        if response.status_code == 200 and "html" in response.get("Content-Type", "")
    ]
    assert len(paths) > 30, paths  # lists, add pages and change pages of every kind
    too_wide = []
    for language in ("en", "vi"):
        browser.add_cookie({"name": "django_language", "value": language})
        for path in paths:
            browser.get(f"{live_server.url}{path}")
            scroll, inner = browser.execute_script(WIDTH)
            assert inner <= SCREEN
            if scroll > inner + 1:
                too_wide.append(f"{language} {path}: {scroll} px")
    assert not too_wide, "\n".join(too_wide)
