"""Staff pages show times in the staff user's project time zone (the portal's for superusers)."""

from __future__ import annotations

from portal.models import Project
from portal.tenancy.policy import project_ids_for

SESSION_KEY = "portal_time_zone"


def staff_time_zone(user) -> str | None:
    """The time zone of the user's project when they have exactly one; None otherwise."""
    if not getattr(user, "is_authenticated", False) or user.is_superuser:
        return None
    ids = project_ids_for(user)
    if len(ids) != 1:
        return None
    return Project.objects.filter(pk__in=ids).values_list("time_zone", flat=True).first()
