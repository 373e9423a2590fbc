"""Staff sessions end: after the idle time, when the password changes elsewhere, and everywhere
at once from the staff member's own page."""

import time
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.models import AuditEntry, Membership
from portal.services.sessions import REFRESHED_AT
from portal.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db
INDEX = "/admin/"
PASSWORD = "a-long-Passphrase-42"


@pytest.fixture
def staff(tenant_a):
    user = MembershipFactory(project=tenant_a, role=Membership.Role.OWNER).user
    user.set_password(PASSWORD)
    user.save()
    return user


def signed_in(user) -> Client:
    browser = Client()
    credentials = {"username": user.username, "password": PASSWORD, "next": INDEX}
    assert browser.post(reverse("admin:login"), credentials).status_code == 302
    assert browser.get(INDEX).status_code == 200
    return browser


def is_signed_out(browser: Client) -> bool:
    response = browser.get(INDEX)
    return response.status_code == 302 and reverse("admin:login") in response["Location"]


def _session_of(browser: Client) -> Session:
    return Session.objects.get(session_key=browser.session.session_key)


def _last_refreshed(browser: Client, seconds_ago: int) -> None:
    session = browser.session
    session[REFRESHED_AT] = int(time.time()) - seconds_ago
    session.save()


def test_a_request_a_minute_after_the_last_start_moves_the_idle_deadline(staff, settings):
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_IDLE_MINUTES * 60 == 3600
    browser = signed_in(staff)
    _last_refreshed(browser, seconds_ago=61)
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=5))
    assert browser.get(INDEX).status_code == 200
    assert _session_of(browser).expire_date > timezone.now() + timedelta(minutes=59)


def test_requests_within_a_minute_write_no_session(staff):
    browser = signed_in(staff)
    soon = timezone.now() + timedelta(minutes=5)
    Session.objects.update(expire_date=soon)
    assert browser.get(INDEX).status_code == 200
    assert _session_of(browser).expire_date == soon


def test_a_session_idle_for_its_idle_time_ends(staff):
    browser = signed_in(staff)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))  # an idle hour
    assert is_signed_out(browser)


def test_changing_the_password_ends_the_other_sessions_but_not_this_one(staff):
    here, elsewhere = signed_in(staff), signed_in(staff)
    response = here.post(
        reverse("admin:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "An0ther-long-pass",
            "new_password2": "An0ther-long-pass",
        },
    )
    assert response.status_code == 302
    assert here.get(INDEX).status_code == 200
    assert is_signed_out(elsewhere)


def test_the_password_page_offers_to_sign_out_everywhere(staff):
    page = signed_in(staff).get(reverse("admin:password_change")).content.decode()
    assert reverse("admin:sign_out_everywhere") in page
    assert "Sign out everywhere" in page


def test_sign_out_everywhere_ends_every_session_of_that_account_only(staff, tenant_b):
    here, elsewhere = signed_in(staff), signed_in(staff)
    colleague = MembershipFactory(project=tenant_b).user
    colleague.set_password(PASSWORD)
    colleague.save()
    other_person = signed_in(colleague)
    response = here.post(reverse("admin:sign_out_everywhere"))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:login")
    assert is_signed_out(here) and is_signed_out(elsewhere)
    assert other_person.get(INDEX).status_code == 200
    entry = AuditEntry.objects.get(additional_data__event="signed_out_everywhere")
    assert entry.object_pk == str(staff.pk)
    assert entry.changes["sessions"] == ["", "2"]


def test_sign_out_everywhere_is_a_button_not_a_link(staff):
    browser = signed_in(staff)
    assert browser.get(reverse("admin:sign_out_everywhere")).status_code == 405
    assert browser.get(INDEX).status_code == 200


def test_sign_out_everywhere_needs_a_signed_in_staff_member(client, staff):
    response = client.post(reverse("admin:sign_out_everywhere"))
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]
    assert not AuditEntry.objects.filter(additional_data__event="signed_out_everywhere").exists()
