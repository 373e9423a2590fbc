"""Owners invite colleagues to their project, change their roles and remove them, through
portal.services; a new colleague sets a password from the emailed link, then sees only that
project. Nobody else (operators, another tenant's owners) may touch the project's staff."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from portal import services
from portal.models import Membership
from portal.services import members
from portal.tests.factories import MembershipFactory, StaffUserFactory

pytestmark = pytest.mark.django_db

ADD = "/admin/portal/membership/add/"
LIST = "/admin/portal/membership/"
Role = Membership.Role
User = get_user_model()
LINK = re.compile(r"https?://[^/\s]+(/admin/welcome/[^\s]+/)")


@pytest.fixture
def owner_a(tenant_a):
    return MembershipFactory(project=tenant_a, role=Role.OWNER, user__username="owner_a").user


@pytest.fixture
def owner_client(client, owner_a):
    client.force_login(owner_a)
    return client


def _invite(client, project, who, role="operator"):
    return client.post(ADD, {"project": project.pk, "who": who, "role": role, "_save": "Save"})


def test_a_new_colleague_gets_a_link_sets_a_password_and_sees_only_that_project(
    owner_client, tenant_a, tenant_b
):
    page = owner_client.get(ADD)
    assert page.status_code == 200 and "Invite a colleague" in page.content.decode()

    response = _invite(owner_client, tenant_a, "New.Colleague@Example.com", "operator")
    assert response.status_code == 302
    colleague = User.objects.get(email__iexact="new.colleague@example.com")
    assert colleague.is_staff and not colleague.has_usable_password()
    assert Membership.objects.get(user=colleague).project == tenant_a

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [colleague.email]
    assert tenant_a.name in email.subject and "operator" in email.body
    path = LINK.search(email.body).group(1)

    browser = Client()
    form_page = browser.get(path, follow=True)
    assert form_page.status_code == 200
    assert "new_password1" in form_page.content.decode()
    # The welcome page is the portal's own, not a framework's.
    assert "Stringee call-routing portal" in form_page.content.decode()
    assert "Django" not in form_page.content.decode()
    set_password_url = form_page.redirect_chain[-1][0]
    done = browser.post(
        set_password_url,
        {"new_password1": "a-long-new-secret-42", "new_password2": "a-long-new-secret-42"},
        follow=True,
    )
    assert done.status_code == 200 and "/admin/login/" in done.content.decode()
    assert "Django" not in done.content.decode()

    logged_in = browser.post(
        "/admin/login/?next=/admin/",
        {"username": colleague.username, "password": "a-long-new-secret-42"},
    )
    assert logged_in.status_code == 302 and logged_in.url == "/admin/"
    projects = browser.get("/admin/portal/project/")
    assert list(projects.context["cl"].result_list) == [tenant_a]
    assert tenant_b.name not in projects.content.decode()
    assert browser.get("/admin/").status_code == 200

    # The link worked once: it is refused now that the password is set.
    assert "new_password1" not in Client().get(path, follow=True).content.decode()


def test_an_existing_staff_account_is_added_by_username_or_email(owner_client, tenant_a, tenant_b):
    colleague = MembershipFactory(
        project=tenant_b, role=Role.OWNER, user__username="bob", user__email="bob@example.com"
    ).user
    assert _invite(owner_client, tenant_a, "BOB", "viewer").status_code == 302
    assert Membership.objects.get(user=colleague, project=tenant_a).role == Role.VIEWER
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["bob@example.com"]
    assert "/admin/welcome/" not in mail.outbox[0].body  # no link: the account has a password
    assert User.objects.filter(email="bob@example.com").count() == 1

    carol = StaffUserFactory(username="carol", email="carol@example.com")
    assert _invite(owner_client, tenant_a, "carol@example.com", "owner").status_code == 302
    assert Membership.objects.get(user=carol, project=tenant_a).role == Role.OWNER


@pytest.mark.parametrize(
    "who, message",
    [
        ("", "This field is required"),
        ("nobody-here", "To invite someone new, enter their email address"),
        ("'; drop table auth_user; --", "To invite someone new"),
        ("owner_a", "already works on"),
    ],
)
def test_bad_invitations_are_form_errors(owner_client, tenant_a, who, message):
    before = (User.objects.count(), Membership.objects.count())
    response = _invite(owner_client, tenant_a, who)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert (User.objects.count(), Membership.objects.count()) == before
    assert mail.outbox == []


def test_a_disabled_or_non_staff_account_is_not_invited(owner_client, tenant_a):
    User.objects.create_user("outsider", email="out@example.com", password="pw")
    response = _invite(owner_client, tenant_a, "outsider")
    assert "not an active staff account" in response.content.decode()
    assert not Membership.objects.filter(user__username="outsider").exists()


def test_another_tenants_owner_cannot_invite_change_or_remove(client, tenant_a, tenant_b, owner_a):
    member = MembershipFactory(project=tenant_a, role=Role.OPERATOR)
    owner_b = MembershipFactory(project=tenant_b, role=Role.OWNER).user
    client.force_login(owner_b)

    response = _invite(client, tenant_a, "spy@example.com")
    assert response.status_code == 200  # tenant A is not among the form's choices
    assert not User.objects.filter(email="spy@example.com").exists()
    assert mail.outbox == []

    change = client.post(f"{LIST}{member.pk}/change/", {"role": "owner"}, follow=True)
    assert "doesn’t exist" in change.content.decode() or change.status_code == 404
    client.post(f"{LIST}{member.pk}/delete/", {"post": "yes"})
    client.post(LIST, {"action": "delete_selected", "_selected_action": [member.pk], "post": "yes"})
    member.refresh_from_db()
    assert member.role == Role.OPERATOR

    with pytest.raises(services.NotAllowed):
        services.member_invite(project=tenant_a, who="spy@example.com", role="owner", by=owner_b)
    with pytest.raises(services.NotAllowed):
        services.member_set_role(membership=member, role="owner", by=owner_b)
    with pytest.raises(services.NotAllowed):
        services.member_remove(membership=member, by=owner_b)
    assert Membership.objects.filter(pk=member.pk, role=Role.OPERATOR).exists()


def test_operators_and_viewers_cannot_invite(staff_client_for, tenant_a):
    for role in (Role.OPERATOR, Role.VIEWER):
        client = staff_client_for(tenant_a, role)
        assert client.get(ADD).status_code == 403
        assert _invite(client, tenant_a, "x@example.com").status_code == 403
        assert "Invite a colleague" not in client.get(LIST).content.decode()
    assert not User.objects.filter(email="x@example.com").exists()


def test_owner_changes_a_role_and_removes_a_member(owner_client, tenant_a):
    member = MembershipFactory(project=tenant_a, role=Role.OPERATOR)
    response = owner_client.post(f"{LIST}{member.pk}/change/", {"role": "viewer", "_save": "Save"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.role == Role.VIEWER

    page = owner_client.get(f"{LIST}{member.pk}/delete/")
    assert "Yes, remove them" in page.content.decode()
    assert owner_client.post(f"{LIST}{member.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not Membership.objects.filter(pk=member.pk).exists()
    assert User.objects.filter(pk=member.user_id).exists()  # the account itself stays


def test_the_last_owner_is_neither_demoted_nor_removed(owner_client, tenant_a, owner_a):
    mine = Membership.objects.get(user=owner_a, project=tenant_a)
    response = owner_client.post(f"{LIST}{mine.pk}/change/", {"role": "viewer", "_save": "Save"})
    assert response.status_code == 200
    assert "at least one owner" in response.content.decode()
    page = owner_client.get(f"{LIST}{mine.pk}/delete/")
    assert "at least one owner" in page.content.decode()
    owner_client.post(f"{LIST}{mine.pk}/delete/", {"post": "yes"})
    mine.refresh_from_db()
    assert mine.role == Role.OWNER

    second = MembershipFactory(project=tenant_a, role=Role.OWNER)
    both = owner_client.post(
        LIST, {"action": "delete_selected", "_selected_action": [mine.pk, second.pk], "post": "yes"}
    )
    assert "at least one owner" in both.content.decode()
    assert Membership.objects.filter(project=tenant_a, role=Role.OWNER).count() == 2


def test_a_failed_email_keeps_nothing(owner_client, tenant_a, settings, monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("no SMTP server")

    monkeypatch.setattr(members, "send_mail", refuse)
    response = _invite(owner_client, tenant_a, "later@example.com")
    assert response.status_code == 200
    assert "could not be sent" in response.content.decode()
    assert not User.objects.filter(email="later@example.com").exists()
