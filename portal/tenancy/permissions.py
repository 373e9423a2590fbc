"""Who may call the management API: any member may read, editors change; and the API's default
permission, which refuses a view that does not say how it keeps tenants apart (portal.tenancy.api
checks every view at start-up). Imports no view class: DRF reads its default permission while
its own views module loads."""

from django.utils.translation import gettext
from rest_framework import permissions

from portal.tenancy.policy import EDITOR_ROLES, MEMBER_ROLES, user_may


class ProjectRolePermission(permissions.BasePermission):
    """Any member may read; changing needs an editor role in the object's project (and a
    read-write API key, for a caller using one)."""

    def has_permission(self, request, view):
        if request.method not in permissions.SAFE_METHODS and getattr(
            request.user, "read_only", False
        ):
            self.message = gettext("This API key is read-only: it may not change anything.")
            return False
        roles = MEMBER_ROLES if request.method in permissions.SAFE_METHODS else EDITOR_ROLES
        return user_may(request.user, None, roles)

    def has_object_permission(self, request, view, obj):
        roles = MEMBER_ROLES if request.method in permissions.SAFE_METHODS else EDITOR_ROLES
        return user_may(request.user, obj, roles)


# Views that hold no tenant's data, by class path, with the reason.
PLATFORM_WIDE_VIEWS = {
    "rest_framework.routers.APIRootView": "lists the API's routes",
    "drf_spectacular.views.SpectacularAPIView": "the API's OpenAPI description",
    "drf_spectacular.views.SpectacularSwaggerView": "the API's documentation page",
    "drf_spectacular.views.SpectacularRedocView": "the API's documentation page",
}


def tenant_scope(view_class: type) -> str | None:
    """How the DRF view `view_class` keeps tenants apart, or None when it does not say."""
    declared = getattr(view_class, "tenant_scope", None)
    if declared:
        return declared
    return PLATFORM_WIDE_VIEWS.get(f"{view_class.__module__}.{view_class.__qualname__}")


class ScopedViewsOnly(permissions.IsAuthenticated):
    """The API's default permission: signed-in callers, on views that say how they keep tenants
    apart (a view that does not is refused, whatever it would have shown)."""

    def has_permission(self, request, view) -> bool:
        return tenant_scope(type(view)) is not None and super().has_permission(request, view)
