"""Tenancy in one place: which projects a caller may see or edit, and scoping querysets.

Every tenant-owned model names the path to its project in `tenant_lookup` ("project",
"call__project", or "pk" for Project itself). Admin pages and API views scope their
querysets only through these functions.
"""

from collections.abc import Iterable
from operator import attrgetter

from django.db.models import Model, QuerySet
from django.dispatch import Signal

from portal.models import Membership, Project

EDITOR_ROLES = (Membership.Role.OWNER, Membership.Role.OPERATOR)
OWNER_ROLES = (Membership.Role.OWNER,)

# Sent with `project_id` whenever data that routing reads changes (rules, numbers, users...).
tenant_data_changed = Signal()


def notify_changed(project_id: int | None) -> None:
    if project_id is not None:
        tenant_data_changed.send(sender=Project, project_id=project_id)


def project_ids_for(user, roles: Iterable[str] | None = None) -> set[int]:
    """Ids of the projects `user` is a member of (optionally only with one of `roles`)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    if getattr(user, "project", None) is not None:  # a JWT caller: owner of its one project
        return {user.project.pk}
    memberships = Membership.objects.filter(user=user)
    if roles is not None:
        memberships = memberships.filter(role__in=list(roles))
    return set(memberships.values_list("project_id", flat=True))


def scope_to_projects(queryset: QuerySet, project_ids: Iterable[int]) -> QuerySet:
    """Rows of `queryset` that belong to one of `project_ids`."""
    lookup = queryset.model.tenant_lookup
    return queryset.filter(**{f"{lookup}__in": list(project_ids)})


def scope_to_user(queryset: QuerySet, user, roles: Iterable[str] | None = None) -> QuerySet:
    """Superusers see everything; everyone else sees their own projects' rows."""
    if getattr(user, "is_superuser", False):
        return queryset
    return scope_to_projects(queryset, project_ids_for(user, roles))


def tenant_project_id(obj: Model) -> int | None:
    """The id of the project `obj` belongs to (None for unassigned inventory)."""
    lookup = type(obj).tenant_lookup
    if lookup == "pk":
        return obj.pk
    *path, last = lookup.split("__")
    owner = attrgetter(".".join(path))(obj) if path else obj
    return getattr(owner, f"{last}_id", None) if owner is not None else None


def user_may(user, obj: Model | None, roles: Iterable[str]) -> bool:
    """Whether `user` holds one of `roles` in `obj`'s project (or in any project if obj is None)."""
    if getattr(user, "is_superuser", False):
        return True
    allowed = project_ids_for(user, roles)
    if obj is None:
        return bool(allowed)
    return tenant_project_id(obj) in allowed
