"""The tenant-scoped API: every viewset starts from the caller's projects (another tenant's id is a
404), related-field choices are scoped the same way, and writes need an editor role.

It fails closed: every DRF view in the URLconf must say how it keeps tenants apart (its
`tenant_scope`: a `TenantScopedViewSet`'s is the caller's projects, the webhooks' base view's is
the project the URL names; or an entry in PLATFORM_WIDE_VIEWS for views that hold no tenant's
data). The system check portal.E002 refuses a view that says nothing, and the API's default
permission (portal.tenancy.permissions.ScopedViewsOnly) refuses its requests.
"""

from collections.abc import Iterator, Sequence

from django.core import checks
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework import permissions, viewsets
from rest_framework.views import APIView

from portal.tenancy.permissions import ProjectRolePermission, tenant_scope
from portal.tenancy.policy import scope_to_user


class TenantScopedViewSet(viewsets.GenericViewSet):
    """Every list and lookup starts from the caller's projects; another tenant's rows are 404.

    Related-object choices of the serializer are scoped the same way (see `scope_serializer`).
    """

    tenant_scope = "the caller's projects"
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


def api_views(patterns=None, prefix: str = "") -> Iterator[tuple[str, type[APIView]]]:
    """(route, view class) of every DRF view the URLconf serves."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from api_views(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            view_class = getattr(pattern.callback, "cls", None)
            if isinstance(view_class, type) and issubclass(view_class, APIView):
                yield prefix + str(pattern.pattern), view_class


@checks.register(checks.Tags.urls)
def check_api_views_scoped(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """portal.E002: every DRF view of the URLconf says how it keeps tenants apart."""
    unscoped = {view: route for route, view in api_views() if tenant_scope(view) is None}
    return [
        checks.Error(
            f"{view.__module__}.{view.__qualname__} (at /{route}) does not say how it keeps "
            "tenants apart.",
            hint=(
                "Base it on portal.tenancy.api.TenantScopedViewSet, or give it a `tenant_scope` "
                "naming how it finds the one project it serves, or list it in "
                "PLATFORM_WIDE_VIEWS if it holds no tenant's data."
            ),
            obj=view,
            id="portal.E002",
        )
        for view, route in unscoped.items()
    ]
