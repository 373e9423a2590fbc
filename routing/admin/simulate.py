"""The "simulate a call" admin page: pick one of your projects, describe a call, read how it
routes."""

import json
from datetime import datetime
from functools import partial

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from portal.models import Membership, Project
from portal.tenancy.policy import projects_for
from routing.scco_words import action_in_words
from routing.simulate import DIRECTION_CHOICES, KeyPressed, parse_time, simulate_call, simulate_key


class SimulateForm(forms.Form):
    from_ = forms.CharField(
        label=_("From"), max_length=128, help_text=_("Caller number or app user id.")
    )
    to = forms.CharField(
        label=_("To"), max_length=128, help_text=_("Called number or app user id.")
    )
    direction = forms.ChoiceField(label=_("Kind of call"), choices=DIRECTION_CHOICES)
    at = forms.CharField(
        label=_("Time"),
        required=False,
        help_text=_("Project local time, e.g. 2026-11-23 08:00 (or with an offset); blank: now."),
    )
    key = forms.ChoiceField(
        label=_("Then presses"),
        required=False,
        choices=[("", _("no key")), *((digit, digit) for digit in "1234567890*#")],
        help_text=_("When the call reaches an IVR menu: the key the caller presses."),
    )

    def clean_at(self) -> datetime | None:
        return parse_time(self.cleaned_data["at"], forms.ValidationError)


def _members_project(request: HttpRequest, stringee_project_id: int) -> Project:
    project = projects_for(request.user, Membership.Role.values).filter(
        stringee_project_id=stringee_project_id
    )
    if not project:
        raise Http404("No such project among yours.")
    return project[0]


def choose_project(request: HttpRequest, site) -> HttpResponse:
    """Pick which of the staff member's projects to simulate (straight there if only one)."""
    projects = projects_for(request.user, Membership.Role.values).order_by("name")
    if len(projects) == 1:
        return redirect(
            "admin:routing_simulate", stringee_project_id=projects[0].stringee_project_id
        )
    context = {**site.each_context(request), "projects": projects, "title": _("Simulate a call")}
    return render(request, "admin/routing/simulate.html", context)


def simulate_page(request: HttpRequest, stringee_project_id: int, site) -> HttpResponse:
    """The form, and for a submitted call the rule-by-rule explanation and the SCCO."""
    project = _members_project(request, stringee_project_id)
    form = SimulateForm(request.POST or None)
    explanation = None
    if form.is_valid():
        data = form.cleaned_data
        explanation = simulate_call(
            project, data["from_"], data["to"], data["direction"], data["at"]
        )
    pressed = _pressed(project, form, explanation)
    context = {
        **site.each_context(request),
        "title": _("Simulate a call — %(project)s") % {"project": project},
        "pressed": pressed,
        "pressed_steps": [action_in_words(a) for a in pressed.decision.scco] if pressed else [],
        "project": project,
        "form": form,
        "explanation": explanation,
        "steps": [action_in_words(action) for action in explanation.decision.scco]
        if explanation
        else [],
        "scco_json": json.dumps(explanation.decision.scco, indent=2, ensure_ascii=False)
        if explanation
        else "",
    }
    return render(request, "admin/routing/simulate.html", context)


def _pressed(project: Project, form: SimulateForm, explanation) -> KeyPressed | None:
    """What the caller gets after the key they press in the menu the call reached, if any."""
    if explanation is None or not form.cleaned_data.get("key"):
        return None
    data = form.cleaned_data
    return simulate_key(
        project,
        explanation,
        data["key"],
        from_=data["from_"],
        to=data["to"],
        direction=data["direction"],
        at=data["at"],
    )


def simulate_urls(model_admin) -> list:
    """Admin URLs of the page, mounted under the routing rules' admin (whose list links to it)."""
    site = model_admin.admin_site
    return [
        path(
            "simulate/",
            site.admin_view(partial(choose_project, site=site)),
            name="routing_simulate_choose",
        ),
        path(
            "simulate/<int:stringee_project_id>/",
            site.admin_view(partial(simulate_page, site=site)),
            name="routing_simulate",
        ),
    ]
