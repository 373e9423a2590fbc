"""Who may see or change which project's rows: staff roles, scoping querysets, and the check
that refuses a tenant model which does not say how it reaches its project (portal.E001).

Every tenant-owned model names the path to its project in `tenant_lookup` ("project",
"call__project", or "pk" for Project itself); models shared by all tenants are listed in
`SHARED_MODELS`. Scoping any other model raises instead of showing every tenant's rows. Admin
pages and API views scope their querysets only through portal.tenancy.admin and
portal.tenancy.api, which build on this module.
"""

from collections.abc import Iterable

from django.apps import apps
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, QuerySet
from django.dispatch import Signal

from portal.models import Membership, Project
from portal.tenancy.paths import (
    SHARED_MODELS,
    TENANT_APPS,
    is_shared,
    tenant_lookup,
    tenant_project_id,
)

__all__ = [
    "EDITOR_ROLES",
    "MEMBER_ROLES",
    "OWNER_ROLES",
    "SHARED_MODELS",
    "TENANT_APPS",
    "is_shared",
    "notify_changed",
    "project_ids_for",
    "projects_for",
    "scope_to_projects",
    "scope_to_user",
    "tenant_data_changed",
    "tenant_lookup",
    "tenant_project_id",
    "user_may",
]

EDITOR_ROLES: tuple[str, ...] = (Membership.Role.OWNER, Membership.Role.OPERATOR)
OWNER_ROLES: tuple[str, ...] = (Membership.Role.OWNER,)
MEMBER_ROLES: tuple[str, ...] = tuple(Membership.Role.values)

# Sent with `project_id` whenever data that routing reads changes (rules, numbers, users...).
tenant_data_changed = Signal()


def notify_changed(project_id: int | None) -> None:
    if project_id is not None:
        tenant_data_changed.send(sender=Project, project_id=project_id)


def project_ids_for(user, roles: Iterable[str] | None = None) -> set[int]:
    """Ids of the projects `user` is a member of (optionally only with one of `roles`).

    Remembered on the user object for the rest of the request: admin pages ask many times.
    """
    if not getattr(user, "is_authenticated", False):
        return set()
    if getattr(user, "project", None) is not None:  # a JWT caller: owner of its one project
        return {user.project.pk}
    memo = user.__dict__.setdefault("_tenancy_roles", None)
    if memo is None:
        memo = user.__dict__["_tenancy_roles"] = dict(
            Membership.objects.filter(user=user).values_list("project_id", "role")
        )
    wanted = None if roles is None else set(roles)
    return {pid for pid, role in memo.items() if wanted is None or role in wanted}


def projects_for(user, roles: Iterable[str] | None = None) -> QuerySet[Project]:
    """The projects `user` may act on (all of them for superusers)."""
    if getattr(user, "is_superuser", False):
        return Project.objects.all()
    return Project.objects.filter(pk__in=project_ids_for(user, roles))


def scope_to_projects(queryset: QuerySet, project_ids: Iterable[int]) -> QuerySet:
    """Rows of `queryset` that belong to one of `project_ids`."""
    return queryset.filter(**{f"{tenant_lookup(queryset.model)}__in": list(project_ids)})


def scope_to_user(queryset: QuerySet, user, roles: Iterable[str] | None = None) -> QuerySet:
    """Superusers see everything; everyone else sees their own projects' rows (shared models
    whole)."""
    if getattr(user, "is_superuser", False) or is_shared(queryset.model):
        return queryset
    lookup = tenant_lookup(queryset.model)  # before anything else: an undeclared model fails closed
    return queryset.filter(**{f"{lookup}__in": list(project_ids_for(user, roles))})


def user_may(user, obj: Model | None, roles: Iterable[str]) -> bool:
    """Whether `user` holds one of `roles` in `obj`'s project (or in any project if obj is None)."""
    if getattr(user, "is_superuser", False):
        return True
    allowed = project_ids_for(user, roles)
    if obj is None:
        return bool(allowed)
    return tenant_project_id(obj) in allowed


@checks.register(checks.Tags.models)
def check_tenant_paths(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """portal.E001: every concrete model of the tenant apps says how it reaches its project."""
    errors: list[checks.CheckMessage] = []
    for model in apps.get_models():
        if model._meta.app_label not in TENANT_APPS or is_shared(model):
            continue
        try:
            tenant_lookup(model)
        except ImproperlyConfigured as exc:
            errors.append(
                checks.Error(
                    str(exc),
                    hint=(
                        "Add tenant_lookup = '<path to Project>' "
                        "(e.g. 'project' or 'call__project')."
                    ),
                    obj=model,
                    id="portal.E001",
                )
            )
    return errors
