"""Two-factor sign-in through the admin's pages: who is asked, enrolment, the code after the
password on every new session, recovery codes, and that nothing else opens before."""

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.devtools.second_factor import code_from_secret
from portal.models import AuditEntry
from portal.second_factor import RECOVERY_CODE_COUNT
from portal.tests.factories import MembershipFactory, ProjectFactory, StaffUserFactory
from portal.tests.second_factor.steps import (
    enrol_through_the_page,
    shown_secret,
    sign_in_with_password,
    verify,
)

pytestmark = [pytest.mark.django_db, pytest.mark.password_only]

ENROL = "/admin/second-factor/enrol/"
VERIFY = "/admin/second-factor/verify/"


def every_admin_page() -> list[str]:
    """The index, each registered model's list, and pages beside them."""
    lists = [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in admin.site._registry
    ]
    return ["/admin/", "/admin/password_change/", "/admin/second-factor/", "/api/docs/", *lists]


def test_a_superuser_without_an_app_reaches_no_page_but_the_enrolment(client, superuser):
    assert sign_in_with_password(client, superuser).status_code == 302
    pages = every_admin_page()
    assert len(pages) > 20
    for page in pages:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(ENROL), page
    schema = client.get("/api/schema/")
    assert schema.status_code == 403
    assert schema.json()["error"] == "second_factor_required"
    api = client.get("/api/v1/projects/")
    assert api.status_code == 403
    assert api.json()["error"] == "second_factor_required"
    page = client.get(ENROL).content.decode()
    assert "Scan this with an authenticator app (Google Authenticator" in page
    assert "<svg" in page and "otpauth" not in page  # the QR code is drawn inline, no link out


def test_enrolment_shows_a_grouped_secret_then_ten_recovery_codes_once(client, superuser):
    sign_in_with_password(client, superuser)
    secret, codes = enrol_through_the_page(client)
    assert all(len(group) == 4 for group in secret.split(" ")[:-1])
    assert len(codes) == RECOVERY_CODE_COUNT == len(set(codes))
    stored = set(StaticToken.objects.values_list("token", flat=True))
    assert len(stored) == RECOVERY_CODE_COUNT and not stored & set(codes)  # only their hashes
    assert client.get("/admin/").status_code == 200
    overview = client.get("/admin/second-factor/").content.decode()
    assert "10 unused recovery codes" in overview
    assert not any(code in overview for code in codes)  # never shown again
    entry = AuditEntry.objects.get(additional_data__event="second_factor_added")
    assert entry.object_pk == str(superuser.pk)


def test_a_wrong_first_code_turns_nothing_on(client, superuser):
    sign_in_with_password(client, superuser)
    client.get(ENROL)
    page = client.post(ENROL, {"code": "000000"}).content.decode()
    assert "That code is not right" in page
    assert not TOTPDevice.objects.filter(user=superuser, confirmed=True).exists()
    assert client.get("/admin/")["Location"].startswith(ENROL)


def test_every_new_session_asks_for_the_code_after_the_password(client, superuser):
    sign_in_with_password(client, superuser)
    enrol_through_the_page(client)
    later = Client()
    assert sign_in_with_password(later, superuser).status_code == 302
    assert later.get("/admin/")["Location"].startswith(f"{VERIFY}?next=%2Fadmin%2F")
    assert later.get("/api/v1/projects/").status_code == 403
    refused = verify(later, superuser, "123456")
    assert "That code is not right" in refused.content.decode()
    device = TOTPDevice.objects.get(user=superuser)
    device.throttling_failure_timestamp = None  # the wait after a wrong code is over
    device.save()
    done = verify(later, superuser)
    assert done.status_code == 302 and done["Location"] == "/admin/"
    assert later.get("/admin/").status_code == 200
    assert later.get("/api/v1/projects/").status_code == 200


def test_a_recovery_code_signs_in_once(client, superuser):
    sign_in_with_password(client, superuser)
    _secret, codes = enrol_through_the_page(client)
    first = Client()
    sign_in_with_password(first, superuser)
    assert verify(first, superuser, codes[0].upper()).status_code == 302
    assert first.get("/admin/").status_code == 200
    again = Client()
    sign_in_with_password(again, superuser)
    assert "That code is not right" in verify(again, superuser, codes[0]).content.decode()
    assert again.get("/admin/").status_code == 302


def test_new_recovery_codes_replace_the_old_ones(client, superuser):
    sign_in_with_password(client, superuser)
    _secret, old = enrol_through_the_page(client)
    page = client.post("/admin/second-factor/", {"new_codes": "1"}).content.decode()
    assert old[1] not in page
    other = Client()
    sign_in_with_password(other, superuser)
    assert "That code is not right" in verify(other, superuser, old[1]).content.decode()


def test_someone_with_only_the_password_cannot_replace_or_remove_the_app(client, superuser):
    sign_in_with_password(client, superuser)
    enrol_through_the_page(client)
    thief = Client()
    sign_in_with_password(thief, superuser)
    assert thief.get(ENROL)["Location"] == "/admin/second-factor/"
    assert thief.get("/admin/second-factor/")["Location"] == VERIFY
    thief.post("/admin/second-factor/", {"remove": "1"})
    thief.post(ENROL, {"code": "123456"})
    assert TOTPDevice.objects.filter(user=superuser, confirmed=True).count() == 1
    assert thief.get("/admin/").status_code == 302


def test_members_of_a_project_that_asks_for_it_must_enrol_others_need_not(client):
    strict, relaxed = ProjectFactory(staff_need_second_factor=True), ProjectFactory()
    asked = MembershipFactory(project=strict).user
    free = MembershipFactory(project=relaxed).user
    sign_in_with_password(client, asked)
    assert client.get("/admin/")["Location"].startswith(ENROL)
    page = client.get(ENROL).content.decode()
    assert "Your account must use two-factor sign-in" in page
    other = Client()
    sign_in_with_password(other, free)
    assert other.get("/admin/").status_code == 200
    # Staff who set it up of their own accord are asked for the code too.
    other.get(ENROL)
    secret = shown_secret(other.get(ENROL).content.decode())
    other.post(ENROL, {"code": code_from_secret(secret)})
    again = Client()
    sign_in_with_password(again, free)
    assert again.get("/admin/")["Location"].startswith(VERIFY)


def test_a_session_with_an_api_token_keeps_the_token_path(client, superuser, tenant_a):
    """A program's token authenticates before the session: the key path is unchanged."""
    from portal.tests.helpers import jwt_headers

    sign_in_with_password(client, superuser)
    response = client.get("/api/v1/projects/me/", headers=jwt_headers(tenant_a))
    assert response.status_code == 200
    assert response.json()["name"] == tenant_a.name


def test_signing_out_stays_open_before_the_second_factor(client, superuser):
    sign_in_with_password(client, superuser)
    page = client.get(ENROL).content.decode()
    assert 'action="/admin/logout/"' in page
    client.post("/admin/logout/")
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


def test_a_verify_page_never_sends_on_to_another_site(client, superuser):
    sign_in_with_password(client, superuser)
    enrol_through_the_page(client)
    other = Client()
    sign_in_with_password(other, superuser)
    response = other.post(VERIFY + "?next=https://evil.example/", {"code": "x"})
    assert response.status_code == 200  # a wrong code: the page again
    device = TOTPDevice.objects.get(user=superuser)
    device.throttling_failure_timestamp = None
    device.save()
    from portal.devtools.second_factor import code_for

    done = other.post(VERIFY, {"code": code_for(superuser), "next": "https://evil.example/"})
    assert done["Location"] == "/admin/"


def test_anonymous_visitors_are_sent_to_the_password_first(client, db):
    for page in (ENROL, VERIFY, "/admin/second-factor/"):
        response = client.get(page)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_a_staff_account_that_is_no_staff_gets_no_second_factor_page(client, db):
    user = StaffUserFactory(is_staff=False)
    client.post("/admin/login/", {"username": user.username, "password": "pw"})
    assert client.get(ENROL)["Location"].startswith("/admin/login/")
