"""The tenant-scoped API: every viewset starts from the caller's projects (another tenant's id is a
404), related-field choices are scoped the same way, and writes need an editor role."""

from collections.abc import Sequence

from django.utils.translation import gettext
from rest_framework import permissions, viewsets

from portal.tenancy.policy import EDITOR_ROLES, MEMBER_ROLES, scope_to_user, user_may


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


class TenantScopedViewSet(viewsets.GenericViewSet):
    """Every list and lookup starts from the caller's projects; another tenant's rows are 404.

    Related-object choices of the serializer are scoped the same way (see `scope_serializer`).
    """

    permission_classes: Sequence[type[permissions.BasePermission]] = [ProjectRolePermission]

    def get_queryset(self):
        return scope_to_user(super().get_queryset(), self.request.user)

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        scope_serializer(serializer, self.request.user)
        return serializer


def scope_serializer(serializer, user) -> None:
    """Limit every related field's choices (nested lists included) to `user`'s projects."""
    fields = getattr(serializer, "fields", None)
    child = getattr(serializer, "child", None)
    if child is not None:
        scope_serializer(child, user)
    if fields is None:
        return
    for field in fields.values():
        queryset = getattr(field, "queryset", None)
        if queryset is not None:
            field.queryset = scope_to_user(queryset, user)
        scope_serializer(field, user)
        many_child = getattr(field, "child_relation", None)
        if many_child is not None and getattr(many_child, "queryset", None) is not None:
            many_child.queryset = scope_to_user(many_child.queryset, user)
