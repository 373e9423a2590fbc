"""Wrong codes lock out longer and longer; a superuser removes a lost phone's app; owners ask
their project's staff for it; the change history names setups, removals and permission changes,
each project's only to its own staff."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.devtools.second_factor import code_for
from portal.models import AuditEntry, Membership
from portal.tests.factories import MembershipFactory, StaffUserFactory
from portal.tests.helpers import project_page_form
from portal.tests.second_factor.steps import enrol_through_the_page, sign_in_with_password, verify

pytestmark = [pytest.mark.django_db, pytest.mark.password_only]


def as_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def signed_in_with_app(user) -> Client:
    client = Client()
    sign_in_with_password(client, user)
    enrol_through_the_page(client)
    return client


def test_wrong_codes_lock_out_for_twice_as_long_each_time(superuser, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 10
    signed_in_with_app(superuser)
    client = Client()
    sign_in_with_password(client, superuser)
    device = TOTPDevice.objects.get(user=superuser)
    waits = []
    for _ in range(4):
        verify(client, superuser, "000000")
        device.refresh_from_db()
        allowed, why = device.verify_is_allowed()
        assert not allowed
        waits.append((why["locked_until"] - device.throttling_failure_timestamp).total_seconds())
        # The right code during the wait is refused too, and says until when.
        locked = verify(client, superuser).content.decode()
        assert "Too many wrong codes. Wait until" in locked
        device.refresh_from_db()
        device.throttling_failure_timestamp -= timedelta(seconds=waits[-1])  # the wait passes
        device.save()
    assert waits == [10, 20, 40, 80]
    assert client.get("/admin/").status_code == 302
    assert verify(client, superuser).status_code == 302  # after the wait, the right code
    assert client.get("/admin/").status_code == 200
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_recovery_codes_are_throttled_too(superuser, settings):
    settings.OTP_STATIC_THROTTLE_FACTOR = 10
    first = Client()
    sign_in_with_password(first, superuser)
    _secret, codes = enrol_through_the_page(first)
    client = Client()
    sign_in_with_password(client, superuser)
    verify(client, superuser, "aaaa-bbbb-cccc")
    assert "Too many wrong codes" in verify(client, superuser, codes[0]).content.decode()
    static = StaticDevice.objects.get(user=superuser)
    static.throttling_failure_timestamp = timezone.now() - timedelta(seconds=11)
    static.save()
    assert verify(client, superuser, codes[0]).status_code == 302


def test_a_superuser_removes_a_lost_phones_app_from_the_accounts_page(superuser):
    member = MembershipFactory(role=Membership.Role.OWNER)
    staff = member.user
    staff_client = signed_in_with_app(staff)
    admin = signed_in_with_app(superuser)
    page = admin.get(f"/admin/auth/user/{staff.pk}/change/").content.decode()
    remove = f"/admin/auth/user/{staff.pk}/second-factor/remove/"
    assert remove in page
    assert "Remove two-factor sign-in of" in admin.get(remove).content.decode()
    assert admin.post(remove).status_code == 302
    assert not TOTPDevice.objects.filter(user=staff).exists()
    assert not StaticDevice.objects.filter(user=staff).exists()
    # The session the app had verified is verified no longer; nothing else asks for it here.
    assert staff_client.get("/admin/").status_code == 200
    entry = AuditEntry.objects.get(additional_data__event="second_factor_removed")
    assert entry.project_id == member.project_id
    history = admin.get("/admin/portal/auditentry/").content.decode()
    assert "Second factor removed" in history and "Second factor added" in history


def test_only_superusers_remove_someone_elses_app(tenant_a):
    owner = MembershipFactory(project=tenant_a, role=Membership.Role.OWNER).user
    colleague = MembershipFactory(project=tenant_a).user
    signed_in_with_app(colleague)
    owner_client = signed_in_with_app(owner)
    remove = f"/admin/auth/user/{colleague.pk}/second-factor/remove/"
    assert owner_client.post(remove).status_code in (302, 403)
    assert TOTPDevice.objects.filter(user=colleague, confirmed=True).exists()


def test_removing_a_superusers_app_asks_them_to_set_one_up_again(superuser):
    other_admin = StaffUserFactory(is_superuser=True)
    victim_session = signed_in_with_app(superuser)
    admin = signed_in_with_app(other_admin)
    admin.post(f"/admin/auth/user/{superuser.pk}/second-factor/remove/")
    assert victim_session.get("/admin/")["Location"].startswith("/admin/second-factor/enrol/")


def test_owners_ask_their_staff_for_it_on_the_project_page(tenant_a, tenant_b):
    owner = MembershipFactory(project=tenant_a, role=Membership.Role.OWNER).user
    operator = MembershipFactory(project=tenant_a, role=Membership.Role.OPERATOR).user
    client = signed_in_with_app(owner)
    page = client.get(f"/admin/portal/project/{tenant_a.pk}/change/").content.decode()
    assert 'name="staff_need_second_factor"' in page
    operators = Client()
    sign_in_with_password(operators, operator)
    page = operators.get(f"/admin/portal/project/{tenant_a.pk}/change/").content.decode()
    assert 'name="staff_need_second_factor"' not in page  # read-only for other roles
    assert client.get(f"/admin/portal/project/{tenant_b.pk}/change/").status_code in (302, 404)
    saved = client.post(
        f"/admin/portal/project/{tenant_a.pk}/change/",
        project_page_form(tenant_a, staff_need_second_factor="on"),
    )
    assert saved.status_code == 302
    tenant_a.refresh_from_db()
    assert tenant_a.staff_need_second_factor
    history = as_text(client.get("/admin/portal/auditentry/").content.decode())
    assert "Staff must use two-factor sign-in : no → yes" in history
    assert operators.get("/admin/")["Location"].startswith("/admin/second-factor/enrol/")


def test_second_factor_events_are_read_by_the_members_projects_only(tenant_a, tenant_b):
    member = MembershipFactory(project=tenant_a).user
    owner_a = MembershipFactory(project=tenant_a, role=Membership.Role.OWNER).user
    owner_b = MembershipFactory(project=tenant_b, role=Membership.Role.OWNER).user
    signed_in_with_app(member)
    client_a = Client()
    client_a.force_login(owner_a)
    client_b = Client()
    client_b.force_login(owner_b)
    assert "Second factor added" in client_a.get("/admin/portal/auditentry/").content.decode()
    assert "Second factor added" not in client_b.get("/admin/portal/auditentry/").content.decode()


def test_role_and_superuser_changes_are_in_the_change_history(superuser, tenant_a):
    membership = MembershipFactory(project=tenant_a, role=Membership.Role.VIEWER)
    admin = signed_in_with_app(superuser)
    membership.role = Membership.Role.OWNER
    membership.save()
    user = membership.user
    user.is_superuser = True
    user.save()
    history = as_text(admin.get("/admin/portal/auditentry/").content.decode())
    assert "Role : Viewer → Owner" in history
    assert f"User: {user.username} Changed Superuser status : no → yes" in history
    entry = AuditEntry.objects.filter(object_pk=str(user.pk), project__isnull=True).latest("pk")
    assert "is_superuser" in entry.changes_dict and "password" not in entry.changes_dict


def test_a_device_page_of_the_otp_library_is_not_offered(superuser):
    admin = signed_in_with_app(superuser)
    assert admin.get("/admin/otp_totp/totpdevice/").status_code == 404
    assert admin.get("/admin/otp_static/staticdevice/").status_code == 404
    account = admin.get(f"/admin/auth/user/{superuser.pk}/change/").content.decode()
    key = TOTPDevice.objects.get(user=superuser).key
    assert key not in account and code_for(superuser) not in account
