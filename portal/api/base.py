"""The base of every management API view: scoped to the caller's projects, role-checked.

A JWT caller acts for one project with full rights; staff act for their memberships (viewers
read only); superusers see everything. Querysets are scoped only here, through portal.tenancy.
"""

from collections.abc import Iterable

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.pagination import BasePagination, PageNumberPagination
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from portal.models import Project
from portal.tenancy.api import TenantScopedViewSet
from portal.tenancy.policy import EDITOR_ROLES, projects_for
from portal.webhooks.deadline import database_deadline


class ProjectRateThrottle(SimpleRateThrottle):
    """Per-project request budget (`API_THROTTLE_RATE`), shared by all of a tenant's callers."""

    scope = "project"

    def get_rate(self) -> str | None:
        # Read at request time (not import time) so a changed setting takes effect.
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
        return str(rate) if rate is not None else None

    def get_cache_key(self, request, view):
        project = getattr(request.user, "project", None)
        ident = f"p{project.pk}" if project else f"u{request.user.pk}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class PortalPagination(PageNumberPagination):
    """`?page=N`, and `?page_size=` up to 200 (default PAGE_SIZE); anything else is a 400.

    DRF would quietly fall back to the defaults for a page size of "ten" or a repeated `page`:
    a program that typed it wrong is told so instead of getting a page it did not ask for.
    """

    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None):
        refuse_bad_counts(request, self.page_query_param)
        refuse_bad_counts(request, self.page_size_query_param, largest=self.max_page_size)
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        return count_bounds(
            super().get_schema_operation_parameters(view),
            {self.page_query_param: None, self.page_size_query_param: self.max_page_size},
        )


def refuse_bad_counts(request, name: str, largest: int | None = None) -> None:
    """400 unless the query parameter `name` is absent or given once as a whole number from 1
    (to `largest`, if given)."""
    values = request.query_params.getlist(name)
    if not values:
        return
    if len(values) > 1 or not values[0].isdecimal() or int(values[0]) < 1:
        raise exceptions.ValidationError({name: [_("Enter one whole number, 1 or more.")]})
    if largest is not None and int(values[0]) > largest:
        raise exceptions.ValidationError(
            {name: [_("Enter a whole number from 1 to %(largest)s.") % {"largest": largest}]}
        )


def count_bounds(parameters: list[dict], largest: dict[str, int | None]) -> list[dict]:
    """The pagination's query parameters as the schema should state them: whole numbers from 1
    (to the largest page size)."""
    for parameter in parameters:
        if parameter["name"] in largest:
            parameter["schema"] = {"type": "integer", "minimum": 1}
            if (bound := largest[parameter["name"]]) is not None:
                parameter["schema"]["maximum"] = bound
    return parameters


def caller_project(request, roles: Iterable[str] = EDITOR_ROLES) -> Project:
    """The project a call acts on: the JWT's project, or the staff member's chosen one.

    Staff with several projects (where they hold one of `roles`) name it with
    `?project=<Stringee projectId>`; naming a project that is not the caller's is a 404.
    """
    chosen = request.query_params.get("project")
    if chosen is not None and not chosen.lstrip("-").isdigit():
        raise exceptions.ValidationError(
            {"project": [_("Enter the Stringee projectId, a whole number.")]}
        )
    project = getattr(request.user, "project", None)
    if project is not None:
        if chosen and chosen != str(project.stringee_project_id):
            raise exceptions.NotFound(_("No such project among yours."))
        return project
    candidates = projects_for(request.user, roles)
    if chosen:
        project = (
            candidates.filter(stringee_project_id=chosen).first() if chosen.isdigit() else None
        )
        if project is None:
            raise exceptions.NotFound(_("No such project among yours."))
        return project
    only = list(candidates[:2])
    if len(only) != 1:
        raise exceptions.ValidationError({"project": "Name the project with ?project=<projectId>."})
    return only[0]


class ProjectScopedViewSet(TenantScopedViewSet):
    """The base of the management API's viewsets: tenant-scoped, throttled per project,
    paginated."""

    throttle_classes = [ProjectRateThrottle]
    pagination_class: type[BasePagination] = PortalPagination

    def dispatch(self, request, *args, **kwargs):
        # A hung database gets a 503 (portal.errors) instead of holding the worker.
        with database_deadline(settings.API_DATABASE_DEADLINE):
            return super().dispatch(request, *args, **kwargs)
