"""The number inventory in the admin: superusers stock it (CSV or XLSX import, or read from the
Stringee account) and assign numbers; tenants see and release their own, see where each stands on
Stringee and send it again, call from them ("Call…"), and search them in any written form."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportMixin
from import_export.formats.base_formats import CSV, XLSX

from portal import services
from portal.admin.callouts import OffersCall
from portal.admin.numbers_on_stringee import account_line, may_send_again, state_in_words
from portal.admin.paginators import BigTableAdmin
from portal.models import Project, VirtualNumber
from portal.models.numbers import STRINGEE_BOOKKEEPING
from portal.phone import number_lookup
from portal.services.number_import import NumberResource, row_problems
from portal.tenancy.admin import ProjectScopedListFilter, TenantScopedAdmin
from portal.tenancy.policy import project_ids_for, user_may


class SearchesNumbers:
    """Admin search: a phone number typed in any form finds rows with it in
    `number_search_fields`."""

    number_search_fields: tuple[str, ...] = ()

    def get_search_results(self, request, queryset, search_term):
        query = number_lookup(search_term, *self.number_search_fields)
        if query is not None and self.number_search_fields:
            return queryset.filter(query), False
        return super().get_search_results(request, queryset, search_term)  # type: ignore[misc]


class AssignNumbersForm(forms.Form):
    project = forms.ModelChoiceField(queryset=Project.objects.filter(is_active=True))


class ReleaseNumbersForm(forms.Form):
    days = forms.IntegerField(min_value=0, max_value=365, label=_("Quarantine (days)"))


RELEASE_EXPLAINED = _(
    "Released numbers leave the project at once: calls to them are no longer routed and rules "
    "that name them stop matching. They stay in quarantine for the days chosen (nobody, you "
    "included, can take them meanwhile), then return to the inventory. Numbers are never "
    "deleted."
)


SEND_EXPLAINED = _(
    "The portal tells Stringee to send this number's calls to its project's answer_url and "
    "event_url (or, for a number no project holds, to stop sending them to the portal). It "
    "happens in the background: the number's page shows when Stringee has taken it."
)
READ_EXPLAINED = _(
    "The portal reads every number of the Stringee account in the background: new numbers are "
    "added to the inventory, numbers missing from Stringee are marked so, and numbers whose "
    "calls go elsewhere on Stringee are shown as different. Nothing is deleted."
)


@admin.register(VirtualNumber)
class VirtualNumberAdmin(
    OffersCall, ImportMixin, BigTableAdmin, SearchesNumbers, TenantScopedAdmin
):
    """The inventory; superusers stock it from CSV or XLSX files ("Import", all or nothing)."""

    number_search_fields = ("number",)
    resource_classes = [NumberResource]
    import_formats = [CSV, XLSX]
    import_template_name = "admin/portal/virtualnumber/import.html"
    skip_admin_log = True  # one history entry per imported number would dwarf the import itself
    list_display = [
        "number",
        "project",
        "status",
        "label",
        "assigned_at",
        "quarantined_until",
        "on_stringee",
    ]
    list_filter = ["status", ("project", ProjectScopedListFilter)]
    search_fields = ["number", "label"]
    list_select_related = ["project"]
    actions = ["assign_to_project", "release_numbers"]
    # The "Call…", "Send to Stringee…" and "Release…" buttons.
    change_form_template = "admin/portal/virtualnumber/change_form.html"
    call_title = _("Call from %(object)s")
    change_list_template = "admin/portal/virtualnumber/change_list.html"  # Stringee's line
    stringee_fields = (
        "state_on_stringee",
        "stringee_id",
        "voice_enabled",
        "sms_enabled",
        "carrier",
        "monthly_price",
        "stringee_project",
    )

    def get_readonly_fields(self, request, obj=None):
        # Ownership changes only through the assign/release actions, which check availability;
        # what Stringee says of the number only through reading the account.
        owned = ["project", "status", "assigned_at", "released_at", "quarantined_until"]
        return owned + (["number"] if obj else []) + list(self.stringee_fields)

    def get_fieldsets(self, request, obj=None):
        own = [
            name
            for name in self.get_fields(request, obj)
            if name not in self.stringee_fields and name not in STRINGEE_BOOKKEEPING
        ]
        return [(None, {"fields": own}), (_("On Stringee"), {"fields": self.stringee_fields})]

    @admin.display(description=_("on Stringee"), ordering="stringee_state")
    def on_stringee(self, obj):
        return state_in_words(obj)

    @admin.display(description=_("state on Stringee"))
    def state_on_stringee(self, obj):
        return state_in_words(obj)

    def changelist_view(self, request, extra_context=None):
        extra = {"stringee_line": account_line() if request.user.is_superuser else ""}
        return super().changelist_view(request, {**extra, **(extra_context or {})})

    def has_add_permission(self, request):
        return request.user.is_superuser  # the inventory is stocked by the operator of the portal

    def has_import_permission(self, request):
        return request.user.is_superuser

    def process_dataset(self, dataset, form, request, **kwargs):
        """The confirmed import: through the service, so any bad row rolls back every row."""
        return services.numbers_import(dataset=dataset)

    def process_result(self, result, request):
        problems = row_problems(result)
        if not problems:
            return super().process_result(result, request)
        self.message_user(
            request,
            " ".join([gettext("Nothing was imported. Fix these rows and try again:"), *problems]),
            messages.ERROR,
        )
        return HttpResponseRedirect(reverse("admin:portal_virtualnumber_changelist"))

    def has_delete_permission(self, request, obj=None):
        """The inventory is the portal's: tenants release numbers (to quarantine), never delete
        them, so neither "Delete selected" nor the delete button nor the delete URL is theirs."""
        return request.user.is_superuser

    def has_assign_permission(self, request):
        """Numbers are given to projects by the portal's administrators only (sales)."""
        return request.user.is_superuser

    def may_release(self, request, number: VirtualNumber) -> bool:
        return number.status == VirtualNumber.Status.ASSIGNED and self.has_change_permission(
            request, number
        )

    def call_fixed(self, obj: VirtualNumber) -> dict[str, str] | None:
        """An assigned number calls out (a number in stock or quarantine calls nobody)."""
        if obj.status != VirtualNumber.Status.ASSIGNED or obj.project is None:
            return None
        return {"from_number": obj.number}

    def may_send(self, request, number: VirtualNumber) -> bool:
        """Sending a number to Stringee again is for those who may change it."""
        return may_send_again(number) and self.has_change_permission(request, number)

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/release/", view(self.release_view), name=f"{prefix}_release"),
            path(
                "<path:object_id>/send-to-stringee/",
                view(self.send_to_stringee_view),
                name=f"{prefix}_send_to_stringee",
            ),
            path("read-stringee/", view(self.read_stringee_view), name=f"{prefix}_read_stringee"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        number = self.get_object(request, unquote(object_id))
        extra = {
            "may_release": number is not None and self.may_release(request, number),
            "may_send": number is not None and self.may_send(request, number),
        }
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def send_to_stringee_view(self, request, object_id):
        """The change page's "Send to Stringee" button: confirm, then queue the sending."""
        number = self.get_object(request, unquote(object_id))
        if number is None:
            raise Http404(gettext("No such number among yours."))
        if not self.has_change_permission(request, number):
            raise PermissionDenied
        if request.method == "POST":
            if services.numbers_push_request(numbers=VirtualNumber.objects.filter(pk=number.pk)):
                self.message_user(
                    request,
                    gettext("%(number)s will be sent to Stringee in a moment.")
                    % {"number": number},
                )
            else:
                self.message_user(request, account_line(), messages.ERROR)
            return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", number.pk)
        return self._action_page(
            request,
            [number],
            forms.Form(),
            "",
            gettext("Send %(number)s to Stringee") % {"number": number},
            gettext("Send"),
            explanation=SEND_EXPLAINED,
        )

    def read_stringee_view(self, request):
        """The list's "Read numbers from Stringee" button (superusers): confirm, then queue."""
        if not request.user.is_superuser:
            raise PermissionDenied
        if request.method == "POST":
            if services.stringee_sync_request():
                self.message_user(
                    request, gettext("The numbers will be read from Stringee in a moment.")
                )
            else:
                self.message_user(request, account_line(), messages.ERROR)
            return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
        return self._action_page(
            request,
            [],
            forms.Form(),
            "",
            gettext("Read the numbers from Stringee"),
            gettext("Read now"),
            explanation=READ_EXPLAINED,
        )

    def release_view(self, request, object_id):
        """The change page's "Release…" button: ask how long the quarantine is, then release."""
        number = self.get_object(request, unquote(object_id))
        if number is None:
            raise Http404(gettext("No such number among yours."))
        if not self.may_release(request, number):
            raise PermissionDenied
        form = ReleaseNumbersForm(
            request.POST if request.method == "POST" else None,
            initial={"days": settings.NUMBER_QUARANTINE_DAYS},
        )
        if form.is_valid():
            services.number_release(number=number, days=form.cleaned_data["days"])
            self.message_user(
                request, gettext("%(number)s released into quarantine.") % {"number": number}
            )
            return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
        return self._action_page(
            request,
            [number],
            form,
            "",
            gettext("Release %(number)s into quarantine") % {"number": number},
            gettext("Release"),
        )

    def get_search_results(self, request, queryset, search_term):
        """A whole number in any typed form finds it; three or more digits find numbers containing
        them."""
        digits = "".join(ch for ch in search_term if ch.isdigit())
        if number_lookup(search_term) is None and len(digits) >= 3:
            return queryset.filter(
                Q(number__contains=digits) | Q(label__icontains=search_term)
            ), False
        return super().get_search_results(request, queryset, search_term)

    def _action_page(self, request, queryset, form, action, title, submit_label, explanation=None):
        """The intermediate page of an action that needs a parameter (or a confirmation)."""
        if explanation is None:
            explanation = RELEASE_EXPLAINED if action != "assign_to_project" else ""
        return render(
            request,
            "admin/portal/virtualnumber/action_form.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "form": form,
                "numbers": queryset,
                "action": action,
                "title": title,
                "submit_label": submit_label,
                "explanation": explanation,
            },
        )

    @admin.action(description=_("Assign to project…"), permissions=["assign"])
    def assign_to_project(self, request, queryset):
        if not request.user.is_superuser:
            self.message_user(
                request, _("Only portal administrators assign numbers."), messages.ERROR
            )
            return None
        form = AssignNumbersForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return self._action_page(
                request,
                queryset,
                form,
                "assign_to_project",
                "Assign numbers to a project",
                "Assign",
            )
        project = form.cleaned_data["project"]
        for number in queryset:
            try:
                services.number_assign(number=number.number, project=project)
                self.message_user(
                    request,
                    _("%(number)s assigned to %(project)s.")
                    % {"number": number, "project": project},
                )
            except services.NumberUnavailable as exc:
                self.message_user(
                    request, _("Not assigned: %(reason)s") % {"reason": exc}, messages.ERROR
                )
        return None

    @admin.action(description=_("Release into quarantine…"), permissions=["change"])
    def release_numbers(self, request, queryset):
        if not user_may(request.user, None, self.edit_roles):
            return None
        form = ReleaseNumbersForm(
            request.POST if "apply" in request.POST else None,
            initial={"days": settings.NUMBER_QUARANTINE_DAYS},
        )
        if not form.is_valid():
            return self._action_page(
                request,
                queryset,
                form,
                "release_numbers",
                gettext("Release numbers into quarantine"),
                gettext("Release"),
            )
        editable = project_ids_for(request.user, self.edit_roles)
        for number in queryset.filter(status=VirtualNumber.Status.ASSIGNED):
            if request.user.is_superuser or number.project_id in editable:
                services.number_release(number=number, days=form.cleaned_data["days"])
                self.message_user(request, _("%(number)s released.") % {"number": number})
        return None
