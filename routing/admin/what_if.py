"""The "What changes?" button of the rule, menu, ring-group and opening-hours pages: the form as
it stands, unsaved, replayed against the project's calls of the last week (routing.what_if).

The button posts the whole form (inline rows too) to `…/what-changes/` beside the page; the
answer is a piece of HTML the page shows under its buttons. Nothing is saved: the form is only
validated, and a form with mistakes says so instead of replaying. The object comes through the
admin's scoped queryset (another tenant's is a 404) and the project from the form's own
choices, which list only the staff member's projects.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib.admin import ModelAdmin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.forms.formsets import all_valid
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from portal.models import Project
from routing.what_if import DAYS_BACK, Edit, Replay, what_changes

TEMPLATE = "admin/routing/what_if.html"
MEDIA_JS = ["portal/what_if.js"]


def answer(request: HttpRequest, replay: Replay | None, errors: list[str]) -> HttpResponse:
    """The piece of page that says what would change (or why it cannot be said)."""
    return render(request, TEMPLATE, {"replay": replay, "errors": errors, "days": DAYS_BACK})


def form_errors(form, formsets=()) -> list[str]:
    """The mistakes of a form and its inline rows, each as one line naming its field."""
    lines = []
    for each in [form, *(f for formset in formsets for f in formset.forms)]:
        for name, messages in each.errors.items():
            label = each.fields[name].label if name in each.fields else ""
            lines += [f"{label}: {message}" if label else str(message) for message in messages]
    for formset in formsets:
        lines += [str(message) for message in formset.non_form_errors()]
    return lines


class ShowsWhatChanges:
    """For a rule's, a menu's or a group's admin: the "What changes?" button on its page.

    `what_if_edit(form, formsets)` says what the form would change; `what_if_focus` names the
    object's kind when its calls should be told apart by its inside (keys, members)."""

    what_if_focus: str | None = None
    change_form_template: Any = "admin/routing/what_if_change_form.html"

    def what_if_edit(self, form, formsets) -> Edit:
        raise NotImplementedError

    def get_urls(self):
        view, opts = self.admin_site.admin_view, self.model._meta  # type: ignore[attr-defined]
        name = f"{opts.app_label}_{opts.model_name}_what_changes"
        return [
            path("what-changes/", view(self.what_changes_view), name=name),
            path("<path:object_id>/what-changes/", view(self.what_changes_view), name=name),
            *super().get_urls(),  # type: ignore[misc]
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        opts = self.model._meta  # type: ignore[attr-defined]
        name = f"admin:{opts.app_label}_{opts.model_name}_what_changes"
        context["what_changes_url"] = reverse(name, args=[obj.pk] if obj is not None else [])
        return super().render_change_form(  # type: ignore[misc]
            request, context, add, change, form_url, obj
        )

    def what_changes_view(self, request: HttpRequest, object_id: str | None = None):
        return require_POST(self._what_changes)(request, object_id)

    def _what_changes(self, request: HttpRequest, object_id: str | None) -> HttpResponse:
        admin = cast(ModelAdmin, self)
        obj = admin.get_object(request, unquote(object_id)) if object_id else None
        if object_id and obj is None:
            raise Http404(gettext("No such object among your projects."))
        if not (
            admin.has_change_permission(request, obj) if obj else admin.has_add_permission(request)
        ):
            raise PermissionDenied
        form = admin.get_form(request, obj, change=obj is not None)(
            request.POST, request.FILES, instance=obj
        )
        formsets, _ = admin._create_formsets(request, form.instance, change=obj is not None)  # type: ignore[attr-defined]
        if not (form.is_valid() & all_valid(formsets)):
            return answer(request, None, form_errors(form, formsets))
        project: Project = form.instance.project
        focus = (self.what_if_focus, form.instance.pk) if self.what_if_focus else None
        return answer(
            request, what_changes(project, self.what_if_edit(form, formsets), focus=focus), []
        )
