"""Projects switched on and off, and app users saved (both change how calls route)."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from portal.models import (
    AppUser,
    Project,
    VirtualNumber,
)
from portal.services.stringee import numbers_push_request


def project_set_active(*, project: Project, active: bool) -> Project:
    """Turn a project on or off. Off, its webhooks answer 404 and its REST tokens are refused
    (portal.webhooks.door.authorize, portal.api.authentication); nothing else changes."""
    if project.is_active != active:
        project.is_active = active
        project.save(update_fields=["is_active", "updated_at"])  # drops its routing cache entry
    return project


def project_rotate_webhook_token(*, project: Project) -> Project:
    """Issue the project a new webhook token (the old one keeps working for a grace period) and
    send its numbers' new URLs to Stringee."""
    project.rotate_webhook_token()
    numbers_push_request(
        numbers=project.numbers.filter(status=VirtualNumber.Status.ASSIGNED),
    )
    return project


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
