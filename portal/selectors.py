"""Reads of the tenancy domain that several apps share (always inside one given project)."""

from portal.models import AppUser, Project


def active_app_user(*, project: Project, user_id: str) -> AppUser | None:
    """The project's active app user with this Stringee userId, if any."""
    return AppUser.objects.filter(project=project, user_id=user_id, is_active=True).first()
