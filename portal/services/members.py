"""The staff of each project: invitations (an existing account or a new one with a set-password
email), roles and removals; a project always keeps an owner."""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.errors import DomainError
from portal.models import (
    Membership,
    Project,
)
from portal.tenancy.policy import OWNER_ROLES, project_ids_for


class NotAllowed(DomainError):
    """Only the project's owners (and superusers) manage who works on it."""

    status = 403
    code = "forbidden"


class InvitationNotSent(DomainError):
    """The invitation email could not be sent; nothing was created."""

    status = 502
    code = "email_failed"


@dataclass(frozen=True)
class Invitation:
    membership: Membership
    new_account: bool  # True: an account was created and sent a link to set its password


LAST_OWNER = gettext_lazy("A project keeps at least one owner: make someone else owner first.")


def may_manage_members(user, project: Project) -> bool:
    """Whether `user` may invite, re-role and remove the staff of `project`."""
    if getattr(user, "is_superuser", False):
        return True
    return project.pk in project_ids_for(user, OWNER_ROLES)


def _require_manager(by, project: Project) -> None:
    if not may_manage_members(by, project):
        raise NotAllowed(
            _("Only the owners of %(project)s may change who works on it.") % {"project": project}
        )


def _check_role(role: str) -> None:
    if role not in Membership.Role.values:
        choices = ", ".join(Membership.Role.values)
        raise ValidationError({"role": _("Choose one of: %(roles)s.") % {"roles": choices}})


def find_invitee(who: str) -> tuple[Any, str]:
    """The staff account `who` (a username or email) names, or (None, email) for someone new.

    ValidationError (on `who`) when it names no usable account and is not an email address.
    """
    who = (who or "").strip()
    if not who:
        raise ValidationError({"who": _("Enter a username or an email address.")})
    User = get_user_model()
    email_field = User.get_email_field_name()
    found = list(
        User._default_manager.filter(
            Q(**{f"{User.USERNAME_FIELD}__iexact": who}) | Q(**{f"{email_field}__iexact": who})
        )[:3]
    )
    by_name = [user for user in found if user.get_username().lower() == who.lower()]
    if len(by_name) == 1 or len(found) == 1:
        user = (by_name or found)[0]
        if not user.is_active or not getattr(user, "is_staff", False):
            raise ValidationError(
                {
                    "who": _(
                        "“%(name)s” is not an active staff account; ask a portal administrator."
                    )
                    % {"name": user.get_username()}
                }
            )
        return user, getattr(user, email_field) or ""
    if found:
        raise ValidationError({"who": _("Several accounts use this email: enter the username.")})
    try:
        validate_email(who)
    except ValidationError:
        raise ValidationError(
            {
                "who": _(
                    "No staff account has this username or email. To invite someone new, "
                    "enter their email address."
                )
            }
        ) from None
    username_length = getattr(User._meta.get_field(User.USERNAME_FIELD), "max_length", None)
    if username_length is not None and len(who) > username_length:
        raise ValidationError({"who": _("This email address is too long for an account name.")})
    return None, User._default_manager.normalize_email(who)


def member_invite_check(*, project: Project, who: str, role: str, by):
    """Raise NotAllowed or ValidationError if `member_invite` would refuse; else the account
    (None for someone new) and the email address."""
    _require_manager(by, project)
    _check_role(role)
    user, email = find_invitee(who)
    if user is not None:
        current = Membership.objects.filter(user=user, project=project).first()
        if current is not None:
            raise ValidationError(
                {
                    "who": _(
                        "%(name)s already works on %(project)s as %(role)s; change the role on "
                        "their membership's page."
                    )
                    % {
                        "name": user.get_username(),
                        "project": project,
                        "role": current.get_role_display().lower(),
                    }
                }
            )
    return user, email


class _SetPasswordLink(PasswordResetForm):
    """Django's password-reset mail, for one account that may have no password yet; a failure
    to send is raised, not only logged."""

    def __init__(self, user, *args, **kwargs):
        super().__init__({"email": kwargs.pop("email")}, *args, **kwargs)
        self.user = user

    def get_users(self, email):
        return [self.user]

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
        send_mail(subject, body, None, [context["email"]])


def _base_url(site_url: str | None) -> str:
    return (site_url or settings.PUBLIC_BASE_URL).rstrip("/")


def _send_invitation(
    user, email: str, project: Project, role: str, by, base_url: str, new: bool
) -> None:
    context = {
        "project": project,
        "role": str(Membership.Role(role).label).lower(),
        "invited_by": by.get_username() if getattr(by, "is_authenticated", False) else "",
        "base_url": base_url,
        "username": user.get_username(),
    }
    try:
        if new:
            link = _SetPasswordLink(user, email=email)
            if not link.is_valid():
                raise InvitationNotSent(
                    _("%(email)s is not an address an email can be sent to.") % {"email": email}
                )
            link.save(
                domain_override=urlsplit(base_url).netloc or base_url,
                use_https=base_url.startswith("https://"),
                subject_template_name="portal/email/invitation_subject.txt",
                email_template_name="portal/email/invitation.txt",
                extra_email_context=context,
            )
        elif email:
            subject = render_to_string("portal/email/member_added_subject.txt", context)
            body = render_to_string("portal/email/member_added.txt", context)
            send_mail("".join(subject.splitlines()), body, None, [email])
    except OSError as exc:  # SMTP down, refused address...: the caller hears it, nothing kept
        message = _("The invitation email to %(email)s could not be sent: %(error)s") % {
            "email": email,
            "error": exc,
        }
        raise InvitationNotSent(message) from exc


@transaction.atomic
def member_invite(
    *, project: Project, who: str, role: str, by, site_url: str | None = None
) -> Invitation:
    """Give `who` (an existing staff account's username or email, or a new colleague's email)
    `role` in `project`. A new colleague gets a staff account without a password and an email
    with a link to set one (Django's password-reset token: single use, PASSWORD_RESET_TIMEOUT);
    an existing account is told by email that it was added. Only the project's owners (and
    superusers) may invite."""
    user, email = member_invite_check(project=project, who=who, role=role, by=by)
    new = user is None
    if user is None:
        User = get_user_model()
        # No password: the account is usable only once its owner follows the emailed link.
        user = User._default_manager.create_user(email, email=email, is_staff=True)
    try:
        with transaction.atomic():
            membership = Membership.objects.create(user=user, project=project, role=role)
    except IntegrityError as exc:  # the same person invited twice at the same moment
        taken = _("%(name)s already works on %(project)s.") % {
            "name": user.get_username(),
            "project": project,
        }
        raise ValidationError({"who": taken}) from exc
    _send_invitation(user, email, project, role, by, _base_url(site_url), new)
    return Invitation(membership, new)


def _lock_owners(project_id: int) -> None:
    """Two owners demoting each other at once: the second waits, then sees the first's change."""
    list(
        Membership.objects.select_for_update()
        .filter(project_id=project_id, role=Membership.Role.OWNER)
        .values_list("pk", flat=True)
    )


def _owners_left(membership: Membership) -> bool:
    """Whether the project keeps another owner besides `membership`."""
    return (
        Membership.objects.filter(project_id=membership.project_id, role=Membership.Role.OWNER)
        .exclude(pk=membership.pk)
        .exists()
    )


def member_role_check(*, membership: Membership, role: str, by) -> None:
    _require_manager(by, membership.project)
    _check_role(role)
    current = Membership.objects.filter(pk=membership.pk).values_list("role", flat=True).first()
    if current == Membership.Role.OWNER and role != current and not _owners_left(membership):
        raise ValidationError({"role": LAST_OWNER})


@transaction.atomic
def member_set_role(*, membership: Membership, role: str, by) -> Membership:
    """Change a member's role in their project (owners of that project and superusers only)."""
    _lock_owners(membership.project_id)
    member_role_check(membership=membership, role=role, by=by)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


def member_removal_check(*, membership: Membership, by) -> None:
    _require_manager(by, membership.project)
    if membership.role == Membership.Role.OWNER and not _owners_left(membership):
        raise ValidationError(LAST_OWNER)


@transaction.atomic
def member_remove(*, membership: Membership, by) -> None:
    """Take a member off their project; their account stays (it may work on other projects)."""
    _lock_owners(membership.project_id)
    member_removal_check(membership=membership, by=by)
    membership.delete()
