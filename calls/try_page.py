"""The "Try a call" admin page: pick one of your projects, place a test call, press keys on a
keypad when the call asks, say what each callee does, and read the call as a transcript beside
the picture of where the project's calls go."""

from __future__ import annotations

from functools import partial

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from calls.emulator import EmulatorError, Outcome
from calls.try_call import (
    KEYPAD,
    current_run,
    transcript,
    try_call_forget,
    try_call_resume,
    try_call_start,
)
from portal.models import Project
from portal.tenancy.policy import EDITOR_ROLES, projects_for
from routing.admin.flow import flow_picture

TEMPLATE = "admin/calls/try_call.html"
KIND_CHOICES = [("phone", _("A phone calls")), ("app", _("An app user calls"))]
OUTCOME_WORDS = {
    Outcome.ANSWERED: _("Answers"),
    Outcome.BUSY: _("Is busy"),
    Outcome.NO_ANSWER: _("Does not answer"),
    Outcome.UNREACHABLE: _("Cannot be reached"),
}


class TryCallForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of call"), choices=KIND_CHOICES)
    from_ = forms.CharField(
        label=_("Who calls"), max_length=128, help_text=_("A phone number, or an app user's id.")
    )
    to = forms.CharField(
        label=_("Calls"),
        max_length=128,
        help_text=_("One of the project's numbers, an app user's id, or what the app dials."),
    )


def _project(request: HttpRequest, stringee_project_id: int) -> Project:
    """One of the projects the staff member may try calls on (another tenant's: 404)."""
    found = projects_for(request.user, EDITOR_ROLES).filter(stringee_project_id=stringee_project_id)
    if not found:
        raise Http404(gettext("No such project among yours."))
    return found[0]


def choose_project(request: HttpRequest, site) -> HttpResponse:
    """Which project to try a call on (straight there for staff with one)."""
    projects = projects_for(request.user, EDITOR_ROLES).order_by("name")
    if len(projects) == 1:
        return redirect("admin:calls_try_call", stringee_project_id=projects[0].stringee_project_id)
    context = {**site.each_context(request), "projects": projects, "title": _("Try a call")}
    return render(request, TEMPLATE, context)


def try_page(request: HttpRequest, stringee_project_id: int, site) -> HttpResponse:
    """The call as it stands; a POST starts one, presses keys or answers for a callee."""
    project = _project(request, stringee_project_id)
    form = TryCallForm(request.POST if "start" in request.POST else None, initial=_initial(project))
    if request.method == "POST" and (form.is_valid() or "start" not in request.POST):
        _act(request, project, form)
        return redirect(request.path)
    run = current_run(project, request.session)
    context = {
        **site.each_context(request),
        "title": _("Try a call — %(project)s") % {"project": project},
        "project": project,
        "form": form,
        "call": transcript(project, run) if run else None,
        "keypad": KEYPAD,
        "outcomes": list(OUTCOME_WORDS.items()),
        "flow": flow_picture(project),
    }
    return render(request, TEMPLATE, context)


def _act(request: HttpRequest, project: Project, form: TryCallForm) -> None:
    """What the POST asks: a new call, keys, a callee's outcome, or to start over."""
    session, base = request.session, request.build_absolute_uri("/")
    posted = request.POST
    try:
        if "start" in posted:
            data = form.cleaned_data
            try_call_start(
                project=project,
                session=session,
                base_url=base,
                from_=data["from_"],
                to=data["to"],
                app=data["kind"] == "app",
            )
        elif "key" in posted or "outcome" in posted:
            keys = posted["key"].strip() if "key" in posted else None
            outcome = posted.get("outcome") if "outcome" in posted else None
            try_call_resume(
                project=project, session=session, base_url=base, keys=keys, outcome=outcome
            )
        else:
            try_call_forget(project=project, session=session)
    except EmulatorError as error:
        messages.error(request, str(error))


def _initial(project: Project) -> dict:
    """A first call to try: a phone calling the project's first number."""
    number = project.numbers.filter(status="assigned").order_by("number").first()
    return {"kind": "phone", "from_": "0901234567", "to": number.number if number else ""}


def try_urls(model_admin) -> list:
    """The page's URLs, under the call records' admin (whose list links to it)."""
    site = model_admin.admin_site
    return [
        path("try/", site.admin_view(partial(choose_project, site=site)), name="calls_try_choose"),
        path(
            "try/<int:stringee_project_id>/",
            site.admin_view(partial(try_page, site=site)),
            name="calls_try_call",
        ),
    ]
