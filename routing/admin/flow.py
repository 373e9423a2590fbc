"""The "where calls go" picture on project and number pages, drawn from the live routing table.

The tenancy app's project and number pages know nothing of routing; this module extends them
(re-registering their admins with the picture added), so the dependency runs routing → portal.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.admin.numbers import VirtualNumberAdmin
from portal.admin.projects import ProjectAdmin
from portal.models import Project, VirtualNumber
from portal.tenancy.policy import EDITOR_ROLES, user_may
from routing.cache import routing_table
from routing.flow import flow_source

MODELS = {"rule": "routingrule", "menu": "ivrmenu", "group": "ringgroup"}
MEDIA_JS = ["vendor/mermaid/mermaid.min.js", "portal/flow.js"]


def admin_link(kind: str, object_id: int) -> str:
    return reverse(f"admin:routing_{MODELS[kind]}_change", args=[object_id])


def picture_html(source: str, legend: str) -> str:
    """HTML of a flowchart (Mermaid draws it in the browser from the source in the page)."""
    return format_html(
        '<div class="flow-wrap"><p class="flow-legend">{}</p>'
        '<div class="flow-picture"><pre class="mermaid" id="flow-source">{}</pre></div></div>',
        legend,
        source,
    )


def flow_picture(project: Project | None, number: str | None = None) -> str:
    """HTML of the flowchart of where the project's (or the number's) calls go now."""
    if project is None:
        return gettext("This number is not assigned to a project: calls to it are not routed.")
    source = flow_source(routing_table(project), number=number, link=admin_link)
    return picture_html(
        source,
        gettext(
            "Drawn from the routing as calls meet it now. Rules are tried top to bottom; click a "
            "rule, menu or group to open it."
        ),
    )


def hotline_url(user, project: Project | None, number: VirtualNumber | None = None) -> str | None:
    """The "Set up a hotline" page's address for `project` (and `number`), if `user` may set one
    up there (routing.admin.hotline)."""
    if project is None or project.pk is None or not user_may(user, project, EDITOR_ROLES):
        return None
    url = reverse("admin:routing_hotline", args=[project.pk])
    return f"{url}?number={number.pk}" if number is not None else url


class ShowsWhereCallsGo:
    """For a menu's or a ring group's page: the picture of where the project's calls go, so
    staff see where it sits (and whether anything leads to it). The admin lists `flow_picture`
    among its read-only fields and adds MEDIA_JS to its Media."""

    @admin.display(description=_("where the project's calls go"))
    def flow_picture(self, obj):
        return flow_picture(obj.project) if obj.pk else gettext("Shown once it is saved.")


class ProjectWithFlowAdmin(ProjectAdmin):
    change_form_template = "admin/portal/project/change_form.html"  # "Set up a hotline…"
    readonly_fields = [*ProjectAdmin.readonly_fields, "flow_picture"]
    # The picture of where calls go leads the page, under the project's name.
    fieldsets = [
        ProjectAdmin.fieldsets[0],
        (_("Where calls go"), {"fields": ["flow_picture"]}),
        *ProjectAdmin.fieldsets[1:],
    ]

    class Media:
        js = MEDIA_JS

    @admin.display(description=_("flow of a call"))
    def flow_picture(self, obj):
        return flow_picture(obj) if obj.pk else gettext("Shown once the project is saved.")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        project = self.get_object(request, unquote(object_id))
        extra = {"hotline_url": hotline_url(request.user, project)}
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})


class VirtualNumberWithFlowAdmin(VirtualNumberAdmin):
    class Media:
        js = MEDIA_JS

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), *(["flow_picture"] if obj else [])]

    @admin.display(description=_("where calls to it go"))
    def flow_picture(self, obj):
        return flow_picture(obj.project if obj.belongs_to(obj.project_id) else None, obj.number)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        number = self.get_object(request, unquote(object_id))
        held = number is not None and number.belongs_to(number.project_id)
        url = hotline_url(request.user, number.project, number) if held else None  # type: ignore[union-attr]
        extra = {"hotline_url": url}
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})


for model, model_admin in (
    (Project, ProjectWithFlowAdmin),
    (VirtualNumber, VirtualNumberWithFlowAdmin),
):
    admin.site.unregister(model)
    admin.site.register(model, model_admin)
