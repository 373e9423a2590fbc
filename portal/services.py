"""Every write of the tenancy domain: the number inventory (import, assign, release,
recycle), app users, the tenants' API keys, projects switched on and off, and the staff of
each project (invitations, roles, removals).

Each inventory change is one conditional UPDATE, so two concurrent claims of a number cannot
both win (the database re-checks the WHERE clause under its row lock). The admin, the API and
the management commands all write through these functions.
"""

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import tablib
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.results import Result

from portal import audit
from portal.errors import DomainError
from portal.models import (
    API_KEY_PREFIX,
    ApiKey,
    AppUser,
    Membership,
    Project,
    VirtualNumber,
    api_key_digest,
)
from portal.number_import import NumberResource
from portal.phone import normalize_number
from portal.tenancy import OWNER_ROLES, notify_changed, project_ids_for

Status = VirtualNumber.Status


class NumberUnavailable(DomainError):
    """The number cannot be assigned (held by another project, or quarantined)."""

    status = 409
    code = "number_unavailable"


def claimable(now=None) -> Q:
    """Numbers that may be assigned now: in stock, or out of an expired quarantine."""
    now = now or timezone.now()
    return Q(status=Status.AVAILABLE) | Q(status=Status.QUARANTINED, quarantined_until__lte=now)


def number_assign(*, number: str, project: Project) -> tuple[VirtualNumber, bool]:
    """Give `number` (any typed form) to `project`: (the number, whether it was newly assigned).

    NumberUnavailable says why when another project holds it or it is quarantined.
    """
    e164 = normalize_number(number)
    now = timezone.now()
    claimed = VirtualNumber.objects.filter(claimable(now), number=e164).update(
        project=project,
        status=Status.ASSIGNED,
        assigned_at=now,
        released_at=None,
        quarantined_until=None,
    )
    current = VirtualNumber.objects.filter(number=e164).select_related("project").first()
    if current is None:
        raise NumberUnavailable(_("%(number)s is not in the number inventory.") % {"number": e164})
    if not claimed and current.project_id != project.pk:
        raise NumberUnavailable(_why_unavailable(current))
    if claimed:
        notify_changed(project.pk)
        audit.log_update(
            current,
            changes={"project": (None, project.pk), "status": (Status.AVAILABLE, Status.ASSIGNED)},
            project_id=project.pk,
        )
    return current, bool(claimed)


def _why_unavailable(number: VirtualNumber) -> str:
    if number.status == Status.ASSIGNED:
        return f"{number.number} is already assigned to another project."
    until = timezone.localtime(number.quarantined_until).strftime("%Y-%m-%d %H:%M")
    return f"{number.number} was released recently and is quarantined until {until}."


def number_release(*, number: VirtualNumber, days: int | None = None) -> VirtualNumber:
    """Take `number` from its project; it cannot be reassigned for `days` days."""
    days = settings.NUMBER_QUARANTINE_DAYS if days is None else days
    now = timezone.now()
    project_id = number.project_id
    released = VirtualNumber.objects.filter(pk=number.pk, status=Status.ASSIGNED).update(
        project=None,
        status=Status.QUARANTINED,
        released_at=now,
        quarantined_until=now + timedelta(days=days),
    )
    notify_changed(project_id)
    number.refresh_from_db()
    if released:
        # The entry stays the releasing project's: the number is no longer anyone's.
        audit.log_update(
            number,
            changes={
                "project": (project_id, None),
                "status": (Status.ASSIGNED, Status.QUARANTINED),
                "quarantined_until": (None, number.quarantined_until),
            },
            project_id=project_id,
        )
    return number


def project_set_active(*, project: Project, active: bool) -> Project:
    """Turn a project on or off. Off, its webhooks answer 404 and its REST tokens are refused
    (routing.cache.authorize, portal.api.authentication); nothing else changes."""
    if project.is_active != active:
        project.is_active = active
        project.save(update_fields=["is_active", "updated_at"])  # drops its routing cache entry
    return project


def numbers_recycle(*, now=None) -> int:
    """Put numbers whose quarantine is over back into the inventory; return how many."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            VirtualNumber.objects.select_for_update().filter(
                status=Status.QUARANTINED, quarantined_until__lte=now
            )
        )
        count = VirtualNumber.objects.filter(pk__in=[number.pk for number in due]).update(
            status=Status.AVAILABLE, quarantined_until=None
        )
        for number in due:
            audit.log_update(
                number,
                changes={
                    "status": (Status.QUARANTINED, Status.AVAILABLE),
                    "quarantined_until": (number.quarantined_until, None),
                },
                project_id=audit.last_holder(number),
            )
    return count


def app_user_save(*, user: AppUser) -> AppUser:
    """Create or change an app user; its userId must be new in the project."""
    taken = AppUser.objects.filter(project_id=user.project_id, user_id=user.user_id).exclude(
        pk=user.pk
    )
    if taken.exists():
        raise ValidationError(
            {"user_id": [f"An app user “{user.user_id}” already exists in this project."]}
        )
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # a concurrent creation won the race the check above missed
        raise ValidationError(
            {"user_id": [f"An app user “{user.user_id}” already exists in this project."]}
        ) from exc
    return user


def numbers_import(
    *, dataset: tablib.Dataset, dry_run: bool = False, on_row: Callable[[], None] | None = None
) -> Result:
    """Add the numbers of a file to the inventory (or relabel those already in it), all or none.

    Any bad row (see `portal.number_import`) rolls back every row, so the inventory is changed
    only by a file without a single error. `dry_run` checks the file and changes nothing.
    """
    resource = NumberResource(on_row=on_row)
    return resource.import_data(
        dataset,
        dry_run=dry_run,
        raise_errors=False,
        use_transactions=True,
        rollback_on_validation_errors=True,
    )


def api_key_create(
    *,
    project: Project,
    name: str,
    scope: str = ApiKey.Scope.READ,
    expires_at=None,
    created_by=None,
) -> tuple[ApiKey, str]:
    """A new API key of `project`: (the stored key, the plain key to show once).

    The database keeps the key's SHA-256 and its visible start (`spk_<8 hex>`), never the key.
    """
    prefix = f"{API_KEY_PREFIX}_{secrets.token_hex(4)}"
    plain_key = f"{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(
        project=project,
        name=name,
        scope=scope,
        expires_at=expires_at,
        created_by=created_by,
        prefix=prefix,
        key_hash=api_key_digest(plain_key),
    )
    key.full_clean(exclude=["prefix", "key_hash"])
    key.save()
    return key, plain_key


def api_key_revoke(*, key: ApiKey) -> ApiKey:
    """Stop `key` working at once (kept, so that the audit log can still name it)."""
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key


# --- staff of a project: invitations, roles, removals ---------------------------------------------


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
