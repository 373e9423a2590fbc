"""Staff pages show times in the staff user's project time zone (the portal's for superusers)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from portal.models import Project
from portal.tenancy.policy import project_ids_for

_SESSION_KEY = "portal_time_zone"


def staff_time_zone(user) -> str | None:
    """The time zone of the user's project when they have exactly one; None otherwise."""
    if not getattr(user, "is_authenticated", False) or user.is_superuser:
        return None
    ids = project_ids_for(user)
    if len(ids) != 1:
        return None
    return Project.objects.filter(pk__in=ids).values_list("time_zone", flat=True).first()


class ProjectTimeZoneMiddleware:
    """Activates the project's time zone on admin pages (remembered in the session)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/admin/") or not request.user.is_authenticated:
            return self.get_response(request)
        zone = request.session.get(_SESSION_KEY)
        if zone is None:
            zone = staff_time_zone(request.user) or ""
            request.session[_SESSION_KEY] = zone
        if zone:
            timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
