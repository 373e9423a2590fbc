"""The "simulate this call" admin page (per project, tenant staff only) and `POST /api/v1/simulate/`.

Both parse from, to, direction and an optional time, then show routing.simulate's explanation:
why each rule did or did not match, the decision and the validated SCCO. Nothing is changed.
"""

import json
from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework import permissions, serializers
from rest_framework.response import Response

from portal.api.base import ProjectScopedViewSet, caller_project
from portal.models import Membership, Project
from portal.tenancy import project_ids_for, user_may
from routing.cache import routing_table
from routing.destinations import Call
from routing.links import WebhookLinks
from routing.simulate import Explanation, explain
from routing.state import PeekState

DIRECTION_CHOICES = [
    ("phone", "From a phone (fromInternal=false)"),
    ("app", "From an app user (fromInternal=true)"),
]


def parse_time(text: str, error: type[Exception]) -> datetime | None:
    """An ISO date and time (naive = the project's local time), or None when blank."""
    if not (text or "").strip():
        return None
    try:
        parsed = parse_datetime(text.strip())
    except ValueError:
        parsed = None
    if parsed is None:
        raise error("Enter a date and time such as 2026-11-23 08:00.")
    return parsed


def simulate_call(project: Project, from_: str, to: str, direction: str, at: datetime | None) -> Explanation:
    """Explain the call as the answer_url would route it now (or at `at`), moving nothing."""
    if at is not None and timezone.is_naive(at):
        at = at.replace(tzinfo=ZoneInfo(project.time_zone))  # a naive time is the project's local time
    app = direction == "app"
    call = Call(from_.strip(), to.strip(), app, at or timezone.now(), user_id=from_.strip() if app else "")
    return explain(routing_table(project), call, WebhookLinks(project), PeekState())


class SimulateForm(forms.Form):
    from_ = forms.CharField(label="From", max_length=128, help_text="Caller number or app user id.")
    to = forms.CharField(max_length=128, help_text="Called number or app user id.")
    direction = forms.ChoiceField(choices=DIRECTION_CHOICES)
    at = forms.CharField(
        label="Time",
        required=False,
        help_text="Project local time, e.g. 2026-11-23 08:00 (or with an offset); blank: now.",
    )

    def clean_at(self) -> datetime | None:
        return parse_time(self.cleaned_data["at"], forms.ValidationError)


def _members_project(request: HttpRequest, project_id: int) -> Project:
    project = Project.objects.filter(pk=project_id).first()
    if project is None or not user_may(request.user, project, Membership.Role.values):
        raise Http404("No such project among yours.")
    return project


def choose_project(request: HttpRequest, site) -> HttpResponse:
    """Pick which of the staff member's projects to simulate (straight there if only one)."""
    projects = Project.objects.order_by("name")
    if not request.user.is_superuser:
        projects = projects.filter(pk__in=project_ids_for(request.user))
    if len(projects) == 1:
        return redirect("admin:routing_simulate", project_id=projects[0].pk)
    context = {**site.each_context(request), "projects": projects, "title": "Simulate a call"}
    return render(request, "admin/routing/simulate.html", context)


def simulate_page(request: HttpRequest, project_id: int, site) -> HttpResponse:
    """The form, and for a submitted call the rule-by-rule explanation and the SCCO."""
    project = _members_project(request, project_id)
    form = SimulateForm(request.POST or None)
    explanation = None
    if form.is_valid():
        data = form.cleaned_data
        explanation = simulate_call(project, data["from_"], data["to"], data["direction"], data["at"])
    context = {
        **site.each_context(request),
        "title": f"Simulate a call — {project}",
        "project": project,
        "form": form,
        "explanation": explanation,
        "scco_json": json.dumps(explanation.decision.scco, indent=2, ensure_ascii=False)
        if explanation
        else "",
    }
    return render(request, "admin/routing/simulate.html", context)


def simulate_urls(model_admin) -> list:
    """Admin URLs of the page, mounted under the routing rules' admin (whose list links to it)."""
    site = model_admin.admin_site
    return [
        path(
            "simulate/", site.admin_view(partial(choose_project, site=site)), name="routing_simulate_choose"
        ),
        path(
            "simulate/<int:project_id>/",
            site.admin_view(partial(simulate_page, site=site)),
            name="routing_simulate",
        ),
    ]


def simulate_url(project: Project) -> str:
    return reverse("admin:routing_simulate", args=[project.pk])


# --- API -------------------------------------------------------------------------------------


class SimulateSerializer(serializers.Serializer):
    """The call to simulate (`from` is a Python keyword, hence the fields are listed here)."""

    def get_fields(self):
        return {
            "from": serializers.CharField(max_length=128, help_text="Caller number or app user id."),
            "to": serializers.CharField(max_length=128, help_text="Called number or app user id."),
            "direction": serializers.ChoiceField(choices=["phone", "app"], default="phone"),
            "at": serializers.CharField(
                required=False, help_text="ISO time; without an offset it is the project's local time."
            ),
        }

    def validate_at(self, value: str) -> datetime | None:
        return parse_time(value, serializers.ValidationError)


class MemberPermission(permissions.BasePermission):
    """Any member (viewers too) may simulate: it reads and changes nothing."""

    def has_permission(self, request, view):
        return user_may(request.user, None, Membership.Role.values)


class SimulateViewSet(ProjectScopedViewSet):
    """Explain how the answer_url would route a call: per rule why (not), the decision, the SCCO."""

    permission_classes = [MemberPermission]
    serializer_class = SimulateSerializer

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        project = caller_project(request, roles=Membership.Role.values)
        explanation = simulate_call(project, data["from"], data["to"], data["direction"], data.get("at"))
        return Response(explanation.as_dict())
