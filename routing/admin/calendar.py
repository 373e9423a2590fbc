"""Staff pages for the business calendar: weekly opening hours (the whole week on one page) and
holidays."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from portal.models import Project
from portal.tenancy.admin import ProjectScopedListFilter, TenantScopedAdmin
from portal.tenancy.policy import MEMBER_ROLES, projects_for, user_may
from routing.admin.what_if import answer, form_errors
from routing.models import WEEKDAYS, Holiday, OpeningHours
from routing.services import calendar as services
from routing.what_if import week_edit, what_changes

DAY_NAMES = dict(WEEKDAYS)
TIME_INPUT = forms.TimeInput(format="%H:%M", attrs={"type": "time"})
MAX_WINDOWS_PER_DAY = 6


class WindowForm(forms.Form):
    """One opening window of one weekday; both times blank means no window (closed)."""

    weekday = forms.TypedChoiceField(choices=WEEKDAYS, coerce=int, widget=forms.HiddenInput)
    opens = forms.TimeField(label=_("Opens"), required=False, widget=TIME_INPUT)
    closes = forms.TimeField(label=_("Closes"), required=False, widget=TIME_INPUT)

    def clean(self):
        data = super().clean() or {}
        opens, closes = data.get("opens"), data.get("closes")
        if (opens is None) != (closes is None) and not self.errors:
            raise ValidationError(_("Give both times, or neither (closed)."))
        return data

    def window(self):
        data = getattr(self, "cleaned_data", None) or {}
        if data.get("opens") is None or data.get("closes") is None:
            return None
        return data["weekday"], data["opens"], data["closes"]

    def day_name(self) -> str:
        try:
            return DAY_NAMES.get(int(self["weekday"].value()), "")
        except (TypeError, ValueError):
            return ""


class BaseWeekFormSet(forms.BaseFormSet):
    """The week's rows; overlapping windows of a day are refused by the calendar service."""

    project: Project | None = None

    def windows(self) -> list:
        return [form.window() for form in self.forms if form.window()]

    def clean(self):
        if any(self.errors) or self.project is None:
            return
        services.week_check(self.project, self.windows())


WeekFormSet = forms.formset_factory(
    WindowForm,
    formset=BaseWeekFormSet,
    extra=0,
    max_num=7 * MAX_WINDOWS_PER_DAY,
    validate_max=True,
    absolute_max=7 * MAX_WINDOWS_PER_DAY,
)


def week_initial(project: Project) -> list[dict]:
    """Each day's windows, in order, then one blank row per day for a new window."""
    rows = []
    windows = OpeningHours.objects.filter(project=project).order_by("weekday", "opens")
    for weekday in DAY_NAMES:
        for window in windows:
            if window.weekday == weekday:
                rows.append({"weekday": weekday, "opens": window.opens, "closes": window.closes})
        rows.append({"weekday": weekday})
    return rows


@admin.register(OpeningHours)
class OpeningHoursAdmin(TenantScopedAdmin):
    list_display = ["weekday", "opens", "closes", "project"]
    list_filter = ["weekday", ("project", ProjectScopedListFilter)]
    list_select_related = ["project"]
    change_list_template = "admin/routing/openinghours/change_list.html"  # "The week on one page"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("week/", view(self.week_choose_view), name="routing_openinghours_week_choose"),
            path("week/<int:project_id>/", view(self.week_view), name="routing_openinghours_week"),
            path(
                "week/<int:project_id>/what-changes/",
                view(require_POST(self.week_what_changes_view)),
                name="routing_openinghours_week_what_changes",
            ),
            *super().get_urls(),
        ]

    def _context(self, request: HttpRequest, **extra) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            **extra,
        }

    def week_choose_view(self, request: HttpRequest) -> HttpResponse:
        """Which project's week (straight there for staff with one project)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        projects = list(projects_for(request.user, MEMBER_ROLES).order_by("name"))
        if len(projects) == 1:
            return redirect("admin:routing_openinghours_week", project_id=projects[0].pk)
        context = self._context(
            request, title=gettext("Opening hours: the week"), projects=projects
        )
        return render(request, "admin/routing/openinghours/week.html", context)

    def _week_project(self, request: HttpRequest, project_id: int) -> Project:
        project = projects_for(request.user, MEMBER_ROLES).filter(pk=project_id).first()
        if project is None or not self.has_view_permission(request):
            raise Http404(gettext("No such project among yours."))
        return project

    def week_what_changes_view(self, request: HttpRequest, project_id: int) -> HttpResponse:
        """The week as the form stands, replayed against the project's calls (nothing saved)."""
        project = self._week_project(request, project_id)
        if not (request.user.is_staff and user_may(request.user, project, self.edit_roles)):
            raise PermissionDenied
        formset: BaseWeekFormSet = WeekFormSet(  # type: ignore[assignment]
            request.POST, initial=week_initial(project), prefix="week"
        )
        formset.project = project
        if not formset.is_valid():
            return answer(request, None, form_errors_of_week(formset))
        return answer(request, what_changes(project, week_edit(formset.windows())), [])

    def week_view(self, request: HttpRequest, project_id: int) -> HttpResponse:
        """The seven days with their opening windows, edited and saved at once."""
        project = self._week_project(request, project_id)
        editable = request.user.is_staff and user_may(request.user, project, self.edit_roles)
        if request.method == "POST" and not editable:
            raise PermissionDenied
        formset: BaseWeekFormSet = WeekFormSet(  # type: ignore[assignment]
            request.POST if request.method == "POST" else None,
            initial=week_initial(project),
            prefix="week",
        )
        formset.project = project
        if request.method == "POST" and formset.is_valid():
            services.week_save(project=project, windows=formset.windows())
            self.message_user(
                request,
                gettext("Opening hours of %(project)s saved.") % {"project": project},
                messages.SUCCESS,
            )
            return redirect("admin:routing_openinghours_week", project_id=project.pk)
        if not editable:
            for form in formset.forms:
                for field in form.fields.values():
                    field.disabled = True
        rows = []
        previous = None
        for form in formset.forms:
            name = form.day_name()
            rows.append((name if name != previous else "", form))
            previous = name
        context = self._context(
            request,
            title=gettext("Opening hours of %(project)s: the week") % {"project": project},
            project=project,
            formset=formset,
            rows=rows,
            editable=editable,
        )
        return render(request, "admin/routing/openinghours/week.html", context)


def form_errors_of_week(formset: BaseWeekFormSet) -> list[str]:
    """The week's mistakes, each line naming its day."""
    lines = []
    for form in formset.forms:
        lines += [f"{form.day_name()}: {line}" for line in form_errors(form)]
    return lines + [str(message) for message in formset.non_form_errors()]


@admin.register(Holiday)
class HolidayAdmin(TenantScopedAdmin):
    list_display = ["date", "name", "project"]
    list_filter = [("project", ProjectScopedListFilter)]
    search_fields = ["name"]
    list_select_related = ["project"]
    date_hierarchy = "date"
