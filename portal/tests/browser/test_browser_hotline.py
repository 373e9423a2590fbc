"""A call-centre lead sets up a hotline through the guided form in a real browser (greeting,
1 → two agents one after another, 2 → a phone, voicemail after 18:00 and on holidays), previews
it, saves it, and checks it on the simulate page."""

import pytest

from portal.devtools import demo
from portal.devtools.browser import has_sideways_scroll, unavailable_reason, wait_for_next_page
from portal.models import VirtualNumber
from portal.tests.factories import AppUserFactory, ProjectFactory
from portal.tests.helpers import demo_tenant_logged_in
from routing.models import IvrMenu, RingGroup, RoutingRule

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        unavailable_reason() is not None, reason=f"no browser: {unavailable_reason()}"
    ),
]
WAIT = 30
GREETING = "Welcome to ACME support. Press 1 for our team, press 2 for the office."


def wait_for(browser, script: str):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, WAIT).until(lambda driver: driver.execute_script(script))


def submit(browser, name: str) -> None:
    page = browser.find_element("tag name", "html")
    browser.find_element("css selector", f"input[type=submit][name={name}]").click()
    wait_for_next_page(browser, page, WAIT)


def type_into(browser, element_id: str, text: str) -> None:
    field = browser.find_element("id", element_id)
    field.clear()
    field.send_keys(text)


def simulate(browser, live_server, project, at: str, key: str = "") -> dict:
    from selenium.webdriver.support.ui import Select

    browser.get(
        f"{live_server.url}/admin/routing/routingrule/simulate/{project.stringee_project_id}/"
    )
    type_into(browser, "id_from_", "0901234567")
    type_into(browser, "id_to", demo.PHONE_NUMBER_1.lstrip("+"))
    Select(browser.find_element("id", "id_direction")).select_by_value("phone")
    type_into(browser, "id_at", at)
    Select(browser.find_element("id", "id_key")).select_by_value(key)
    submit_simulate = browser.find_element("css selector", "input[type=submit]")
    page = browser.find_element("tag name", "html")
    submit_simulate.click()
    wait_for_next_page(browser, page, WAIT)
    pressed = browser.find_elements("id", "pressed-where")
    return {
        "rule": browser.find_element("id", "matched-rule").text,
        "steps": browser.find_element("id", "steps").text,
        "pressed": pressed[0].text if pressed else "",
        "pressed_steps": "\n".join(e.text for e in browser.find_elements("id", "pressed-steps")),
    }


def test_a_lead_sets_up_a_hotline_in_one_form_and_the_simulator_follows_it(
    transactional_db, live_server, browser
):
    from selenium.webdriver.support.ui import Select

    project = demo_tenant_logged_in(browser, live_server, calls=5, days=1)
    other = ProjectFactory(name="Other tenant")
    AppUserFactory(project=other, user_id="not_ours")
    number = VirtualNumber.objects.get(number=demo.PHONE_NUMBER_1)

    browser.get(f"{live_server.url}/admin/portal/virtualnumber/{number.pk}/change/")
    browser.find_element("id", "set-up-hotline").click()
    wait_for(browser, "return !!document.getElementById('hotline-form');")
    assert "not_ours" not in browser.page_source and not has_sideways_scroll(browser)

    type_into(browser, "id_name", "Support hotline")
    type_into(browser, "id_greeting_text", GREETING)
    assert Select(browser.find_element("id", "id_key-0-digit")).first_selected_option.text == "1"
    Select(browser.find_element("id", "id_key-0-kind")).select_by_value("group")
    for agent in ("user_1", "user_2"):
        browser.find_element(
            "xpath", f"//input[@name='key-0-agents'][../text()[contains(., '{agent}')]]"
        ).click()
    Select(browser.find_element("id", "id_key-0-order")).select_by_value("sequential")
    assert not browser.find_element("id", "id_key-0-number").is_displayed()  # only its fields
    Select(browser.find_element("id", "id_key-1-digit")).select_by_value("2")
    Select(browser.find_element("id", "id_key-1-kind")).select_by_value("phone")
    assert not browser.find_element("id", "id_key-1-agents_0").is_displayed()
    type_into(browser, "id_key-1-number", demo.PHONE_NUMBER_3)
    weekdays = browser.find_elements("css selector", "input[name=days]:checked")
    assert [box.get_attribute("value") for box in weekdays] == ["1", "2", "3", "4", "5"]
    assert browser.find_element("id", "id_opens").get_attribute("value") == "08:00"
    assert browser.find_element("id", "id_closes").get_attribute("value") == "18:00"
    type_into(browser, "id_holidays", "2026-12-25")
    assert (
        Select(browser.find_element("id", "id_closed_kind")).first_selected_option.get_attribute(
            "value"
        )
        == "voicemail"
    )

    submit(browser, "preview")
    wait_for(browser, "return !!document.querySelector('#hotline-preview pre[data-drawn] svg');")
    picture = browser.find_element("id", "hotline-preview").text
    assert "Support hotline: closed" in picture and "Ring group: Support hotline" in picture
    assert not RoutingRule.objects.filter(name__startswith="Support hotline").exists()
    assert not has_sideways_scroll(browser)

    submit(browser, "save")  # the answers came back filled in with the preview
    assert browser.current_url.endswith(f"/admin/portal/virtualnumber/{number.pk}/change/")
    message = browser.find_element("css selector", "ul.messagelist li.success")
    assert message.text.startswith("The hotline is set up. Created:")
    links = {a.text: a.get_attribute("href") for a in message.find_elements("tag name", "a")}
    menu = IvrMenu.objects.get(project=project, name="Support hotline")
    group = RingGroup.objects.get(project=project, name="Support hotline — key 1")
    assert links["IVR menu “Support hotline”"].endswith(f"/admin/routing/ivrmenu/{menu.pk}/change/")
    assert links["ring group “Support hotline — key 1”"].endswith(f"/ringgroup/{group.pk}/change/")
    assert "holiday 2026-12-25" in links

    monday_morning = simulate(browser, live_server, project, "2026-12-07 09:00", key="1")
    assert monday_morning["rule"] == "Support hotline: open"
    assert f"Says “{GREETING}”" in monday_morning["steps"]
    assert "Waits for the caller to press a key" in monday_morning["steps"]
    assert monday_morning["pressed"] == "Ring group Support hotline — key 1"
    assert "Connects to app user user_1" in monday_morning["pressed_steps"]

    evening = simulate(browser, live_server, project, "2026-12-07 19:00")
    assert evening["rule"] == "Support hotline: closed"
    assert "Records a voicemail" in evening["steps"]
    holiday = simulate(browser, live_server, project, "2026-12-25 10:00")  # a Friday
    assert holiday["rule"] == "Support hotline: closed"
    assert "Records a voicemail" in holiday["steps"]
