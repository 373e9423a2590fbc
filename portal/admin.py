"""The staff web UI for the tenancy domain: projects, the number inventory, app users, staff.

Superusers see everything. Tenant staff see only their projects' rows, on every page,
dropdown and autocomplete (portal.tenancy); viewers may look but not change.
"""

from importlib import import_module

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportMixin
from import_export.formats.base_formats import CSV, XLSX

from portal import services
from portal.models import AppUser, Membership, Project, VirtualNumber
from portal.number_import import NumberResource, row_problems
from portal.paginators import BigTableAdmin
from portal.phone import number_lookup
from portal.redaction import redact
from portal.tenancy import (
    OWNER_ROLES,
    ProjectScopedListFilter,
    TenantScopedAdmin,
    project_ids_for,
    user_may,
)

SIGNATURE_FAILURES_SHOWN = 10


class SearchesNumbers:
    """Admin search: a phone number typed in any form finds rows with it in
    `number_search_fields`."""

    number_search_fields: tuple[str, ...] = ()

    def get_search_results(self, request, queryset, search_term):
        query = number_lookup(search_term, *self.number_search_fields)
        if query is not None and self.number_search_fields:
            return queryset.filter(query), False
        return super().get_search_results(request, queryset, search_term)  # type: ignore[misc]


class ProjectForm(forms.ModelForm):
    api_key_secret = forms.CharField(
        label=_("API key secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_(
            "Stored to sign and verify JWTs; never shown "
            "again. Leave blank to keep the current one."
        ),
    )
    signing_secret = forms.CharField(
        label=_("Signing secret key"),
        required=False,
        max_length=128,
        widget=forms.PasswordInput(render_value=False),
        help_text=_(
            "The “Signing secret key” of the Stringee project, used to check X-STRINGEE-SIGNATURE; "
            "never shown again. Leave blank to keep the current one; enter a new one to replace it."
        ),
    )

    class Meta:
        model = Project
        fields = [
            "name",
            "stringee_project_id",
            "is_active",
            "time_zone",
            "api_key_sid",
            "api_key_secret",
            "signing_mode",
            "signing_secret",
            "fallback_message",
            "caller_voice",
            "retention_days",
            "recording_retention_days",
        ]

    def clean_api_key_secret(self):
        secret = self.cleaned_data["api_key_secret"]
        if not secret and not self.instance.pk:
            raise forms.ValidationError(_("Enter the API key secret issued by Stringee."))
        return secret or self.instance.api_key_secret

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A form posted without the mode (older scripts) keeps the project's current one.
        if "signing_mode" in self.fields:  # viewers see the page read-only, without form fields
            self.fields["signing_mode"].required = False
        if "caller_voice" in self.fields:  # a post without it keeps the project's voice
            self.fields["caller_voice"].required = False

    def clean_signing_mode(self):
        return self.cleaned_data["signing_mode"] or self.instance.signing_mode

    def clean_caller_voice(self):
        return self.cleaned_data["caller_voice"] or self.instance.caller_voice

    def clean_signing_secret(self):
        return self.cleaned_data["signing_secret"].strip() or self.instance.signing_secret


CONFIRM_DEACTIVATION = "_confirm_deactivation"


def deactivation_effects(projects: list[Project]) -> list[str]:
    """What stops working when `projects` are deactivated, in words for their owners."""
    numbers = list(
        VirtualNumber.objects.filter(
            project__in=projects, status=VirtualNumber.Status.ASSIGNED
        ).values_list("number", flat=True)[:6]
    )
    shown = ", ".join(numbers[:5]) + (" …" if len(numbers) > 5 else "")
    calls = (
        gettext(
            "Calls to its numbers (%(numbers)s) are no longer routed: Stringee gets no answer "
            "to route them with, so callers cannot get through."
        )
        % {"numbers": shown}
        if numbers
        else gettext("Calls to its numbers (it has none now) would no longer be routed.")
    )
    return [
        gettext(
            "Its answer_url and event_url answer 404 (unknown project) to Stringee, as do the "
            "IVR, ring-group and recording callbacks of calls in progress."
        ),
        calls,
        gettext(
            "Call events are no longer recorded: the call log and the dashboard stop at this "
            "moment."
        ),
        gettext("Programs calling the management API with the project's REST tokens are refused."),
        gettext(
            "Nothing is deleted: numbers stay assigned, rules, menus, staff and the call log are "
            "kept. Tick “Is active” again to bring it all back at once."
        ),
    ]


@admin.register(Project)
class ProjectAdmin(TenantScopedAdmin):
    form = ProjectForm
    edit_roles = OWNER_ROLES
    list_display = [
        "name",
        "stringee_project_id",
        "api_key_sid",
        "masked_secret",
        "time_zone",
        "is_active",
    ]
    list_filter = ["is_active", "time_zone"]
    search_fields = ["name", "stringee_project_id", "api_key_sid"]
    readonly_fields = [
        "webhook_urls",
        "masked_webhook_urls",
        "masked_secret",
        "masked_signing_secret",
        "signature_failures",
        "webhook_token_rotated_at",
        "created_at",
        "updated_at",
    ]
    exclude = ["webhook_token", "previous_webhook_token"]
    actions = ["rotate_webhook_tokens", "deactivate_projects"]
    fieldsets = [
        (None, {"fields": ["name", "stringee_project_id", "is_active", "time_zone"]}),
        (_("Stringee API key"), {"fields": ["api_key_sid", "masked_secret", "api_key_secret"]}),
        (
            _("Webhooks (paste these into the Stringee dashboard)"),
            {
                "fields": ["webhook_urls", "webhook_token_rotated_at"],
            },
        ),
        (
            _("Webhook signatures (X-STRINGEE-SIGNATURE)"),
            {
                "fields": [
                    "signing_mode",
                    "masked_signing_secret",
                    "signing_secret",
                    "signature_failures",
                ],
            },
        ),
        (
            _("Behaviour"),
            {
                "fields": [
                    "fallback_message",
                    "caller_voice",
                    "retention_days",
                    "recording_retention_days",
                ]
            },
        ),
        (_("History"), {"fields": ["created_at", "updated_at"]}),
    ]

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def get_fieldsets(self, request, obj=None):
        """Only owners (and superusers) see the webhook token; other roles see it masked."""
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or user_may(request.user, obj, OWNER_ROLES):
            return fieldsets

        def masked(field):
            return "masked_webhook_urls" if field == "webhook_urls" else field

        return [
            (name, {**options, "fields": [masked(field) for field in options["fields"]]})
            for name, options in fieldsets
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """Unticking "Is active" first shows what stops working; the save happens only once the
        owner confirms (the confirmation page posts the same form again, confirmed)."""
        if request.method == "POST" and CONFIRM_DEACTIVATION not in request.POST:
            page = self._deactivation_question(request, object_id)
            if page is not None:
                return page
        return super().change_view(request, object_id, form_url, extra_context)

    def _deactivation_question(self, request, object_id):
        """The confirmation page if this valid post would deactivate an active project."""
        project = self.get_object(request, unquote(object_id))
        if (
            project is None
            or not project.is_active
            or not self.has_change_permission(request, project)
        ):
            return None
        form_class = self.get_form(request, project, change=True)
        form = form_class(request.POST, request.FILES, instance=project)
        if not form.is_valid() or form.cleaned_data.get("is_active", True):
            return None  # the change form shows the errors, or nothing is being deactivated
        posted = [
            (name, value)
            for name, values in request.POST.lists()
            if name != "csrfmiddlewaretoken"
            for value in values
        ]
        return self._deactivation_page(request, [form.instance], posted=posted)

    def _deactivation_page(self, request, projects, posted=(), action=""):
        return render(
            request,
            "admin/portal/project/deactivate_confirmation.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": gettext("Deactivate %(what)s?")
                % {
                    "what": str(projects[0])
                    if len(projects) == 1
                    else ngettext("%(count)d project", "%(count)d projects", len(projects))
                    % {"count": len(projects)}
                },
                "projects": projects,
                "effects": deactivation_effects(projects),
                "posted": posted,
                "action": action,
                "confirm_name": CONFIRM_DEACTIVATION,
            },
        )

    @admin.action(description=_("Deactivate…"), permissions=["change"])
    def deactivate_projects(self, request, queryset):
        """Ask first (same page as the change form's), then deactivate the confirmed ones."""
        projects = [
            project
            for project in queryset.filter(is_active=True)
            if user_may(request.user, project, self.edit_roles)
        ]
        if not projects:
            self.message_user(
                request, gettext("No active project of yours was selected."), messages.WARNING
            )
            return None
        if CONFIRM_DEACTIVATION not in request.POST:
            return self._deactivation_page(request, projects, action="deactivate_projects")
        for project in projects:
            services.project_set_active(project=project, active=False)
        names = ", ".join(str(project) for project in projects)
        self.message_user(
            request,
            gettext("Deactivated: %(names)s. Tick “Is active” to reactivate.") % {"names": names},
        )
        return None

    def get_readonly_fields(self, request, obj=None):
        # The projectId is the tenant's identity in every webhook URL: fixed once created.
        return [*self.readonly_fields, "stringee_project_id"] if obj else self.readonly_fields

    @admin.display(description=_("API key secret (masked)"))
    def masked_secret(self, obj):
        return obj.masked_secret

    @admin.display(description=_("Signing secret key (masked)"))
    def masked_signing_secret(self, obj):
        return obj.masked_signing_secret or "Not set"

    @admin.display(description=_("Rejected or unsigned requests"))
    def signature_failures(self, obj):
        if not obj.pk:
            return "Shown once the project is saved."
        count = obj.signature_failures.count()
        if not count:
            return "None recorded."
        latest = obj.signature_failures.all()[:SIGNATURE_FAILURES_SHOWN]
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td><code>{}</code></td><td>{}</td></tr>",
            (
                (
                    date_format(localtime(failure.at), "DATETIME_FORMAT"),
                    failure.path,
                    failure.get_reason_display(),
                )
                for failure in latest
            ),
        )
        return format_html(
            "<p>{} in all; the latest {}:</p>"
            "<table><thead><tr><th>Time</th><th>Path</th><th>Reason</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            count,
            min(count, SIGNATURE_FAILURES_SHOWN),
            rows,
        )

    @admin.display(description=_("answer_url / event_url"))
    def webhook_urls(self, obj):
        if not obj.pk:
            return "Shown once the project is saved."
        return format_html(
            "<p><strong>answer_url</strong><br><code>{}</code></p>"
            "<p><strong>event_url</strong><br><code>{}</code></p>",
            obj.answer_url,
            obj.event_url,
        )

    @admin.display(description=_("answer_url / event_url"))
    def masked_webhook_urls(self, obj):
        return format_html(
            "<p><strong>answer_url</strong><br><code>{}</code></p>"
            "<p><strong>event_url</strong><br><code>{}</code></p>"
            "<p>The token (***) is shown to the project's owners only.</p>",
            redact(obj.answer_url),
            redact(obj.event_url),
        )

    @admin.action(
        description=_("Rotate webhook token (the old one keeps working for a grace period)"),
        permissions=["change"],
    )
    def rotate_webhook_tokens(self, request, queryset):
        for project in queryset:
            if user_may(request.user, project, self.edit_roles):
                project.rotate_webhook_token()
        self.message_user(request, _("New webhook URLs are shown on each project's page."))


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


@admin.register(VirtualNumber)
class VirtualNumberAdmin(ImportMixin, BigTableAdmin, SearchesNumbers, TenantScopedAdmin):
    """The inventory; superusers stock it from CSV or XLSX files ("Import", all or nothing)."""

    number_search_fields = ("number",)
    resource_classes = [NumberResource]
    import_formats = [CSV, XLSX]
    import_template_name = "admin/portal/virtualnumber/import.html"
    skip_admin_log = True  # one history entry per imported number would dwarf the import itself
    list_display = ["number", "project", "status", "label", "assigned_at", "quarantined_until"]
    list_filter = ["status", ("project", ProjectScopedListFilter)]
    search_fields = ["number", "label"]
    list_select_related = ["project"]
    actions = ["assign_to_project", "release_numbers"]
    change_form_template = "admin/portal/virtualnumber/change_form.html"  # the "Release…" button

    def get_readonly_fields(self, request, obj=None):
        # Ownership changes only through the assign/release actions, which check availability.
        owned = ["project", "status", "assigned_at", "released_at", "quarantined_until"]
        return owned + (["number"] if obj else [])

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

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_release"
        release = self.admin_site.admin_view(self.release_view)
        return [path("<path:object_id>/release/", release, name=name), *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        number = self.get_object(request, unquote(object_id))
        extra = {"may_release": number is not None and self.may_release(request, number)}
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

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

    def _action_page(self, request, queryset, form, action, title, submit_label):
        """The intermediate page of an action that needs a parameter."""
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
                "explanation": RELEASE_EXPLAINED if action != "assign_to_project" else "",
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


@admin.register(AppUser)
class AppUserAdmin(TenantScopedAdmin):
    list_display = ["user_id", "display_name", "project", "phone_number", "is_active"]
    list_filter = ["is_active", ("project", ProjectScopedListFilter)]
    search_fields = ["user_id", "display_name", "phone_number"]
    list_select_related = ["project"]


class MemberFormBase(forms.ModelForm):
    """A membership form whose last check is the staff service's (who may, last owner...)."""

    acting_user = None  # the staff user posting the form (set by MembershipAdmin.get_form)

    def service_errors(self, check) -> None:
        try:
            check()
        except services.NotAllowed as exc:
            self.add_error(None, str(exc))
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                fields = {name for name in exc.error_dict if name in self.fields}
                if fields != set(exc.error_dict):
                    exc = ValidationError(exc.messages)
            self.add_error(None, exc)


class InviteForm(MemberFormBase):
    """Invite a colleague: an existing staff account (username or email) or a new one (email).

    The invitation is sent as the form's last check (`member_invite`, one transaction with the
    admin's save), so the service's refusals show on the form, next to the field at fault.
    """

    who = forms.CharField(
        label=_("Username or email"),
        max_length=254,
        help_text=_(
            "An existing staff account's username or email, or the email address of a new "
            "colleague: they get an email with a link to choose their password."
        ),
    )

    site_url: str | None = None
    invitation: services.Invitation | None = None

    class Meta:
        model = Membership
        fields = ["project", "who", "role"]

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]  # private in Django, absent from the stubs
        if self.errors:
            return
        data = self.cleaned_data

        def invite():
            self.invitation = services.member_invite(
                project=data["project"],
                who=data["who"],
                role=data["role"],
                by=self.acting_user,
                site_url=self.site_url,
            )

        try:
            self.service_errors(invite)
        except services.InvitationNotSent as exc:
            self.add_error("who", str(exc))


class MemberRoleForm(MemberFormBase):
    """A member's page: only the role changes (last owner kept, owners of the project only)."""

    class Meta:
        model = Membership
        fields = ["role"]

    def clean(self):
        data = super().clean() or {}
        if "role" in data and self.instance.pk:
            self.service_errors(
                lambda: services.member_role_check(
                    membership=self.instance, role=data["role"], by=self.acting_user
                )
            )
        return data


@admin.register(Membership)
class MembershipAdmin(TenantScopedAdmin):
    """Who works on which project, with which role. Owners invite colleagues (the add page),
    change roles and remove members of their own projects, all through portal.services."""

    edit_roles = OWNER_ROLES
    hide_single_project = False  # who is on which project is the point of this list
    list_display = ["user", "email", "project", "role", "last_login"]
    list_filter = ["role", ("project", ProjectScopedListFilter)]
    search_fields = ["user__username", "user__email", "project__name"]
    list_select_related = ["user", "project"]
    change_list_template = "admin/portal/membership/change_list.html"  # "Invite a colleague"
    delete_confirmation_template = "admin/portal/membership/delete_confirmation.html"
    delete_selected_confirmation_template = (
        "admin/portal/membership/delete_selected_confirmation.html"
    )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "user" and not request.user.is_superuser:
            # Owners pick among people already on their projects, never the whole user table.
            field.queryset = field.queryset.filter(
                memberships__project__in=project_ids_for(request.user)
            ).distinct()
        return field

    @admin.display(description=_("email"), ordering="user__email")
    def email(self, obj):
        return obj.user.email

    @admin.display(description=_("last login"), ordering="user__last_login")
    def last_login(self, obj):
        if obj.user.last_login:
            return date_format(localtime(obj.user.last_login), "SHORT_DATETIME_FORMAT")
        if obj.user.has_usable_password():
            return gettext("Never")
        return gettext("Invited, no password yet")

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["project", "who", "role"]})]
        return [(None, {"fields": ["user", "project", "role"]})]

    def get_readonly_fields(self, request, obj=None):
        return ["user", "project"] if obj is not None else []

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = MemberRoleForm if obj is not None else InviteForm
        form = super().get_form(request, obj, change, **kwargs)
        attrs = {"acting_user": request.user, "site_url": request.build_absolute_uri("/")}
        return type(form.__name__, (form,), attrs)

    def add_view(self, request, form_url="", extra_context=None):
        return super().add_view(
            request, form_url, {"title": gettext("Invite a colleague"), **(extra_context or {})}
        )

    def save_model(self, request, obj, form, change):
        if change:
            services.member_set_role(membership=obj, role=obj.role, by=request.user)
            return
        invitation = form.invitation  # sent by the form's last check
        obj.pk, obj.user = invitation.membership.pk, invitation.membership.user
        if invitation.new_account:
            self.message_user(
                request,
                gettext(
                    "%(email)s was sent a link to choose a password; they then log in and find "
                    "%(project)s as %(role)s."
                )
                % {
                    "email": obj.user.email,
                    "project": obj.project,
                    "role": obj.get_role_display().lower(),
                },
            )

    def get_deleted_objects(self, objs, request):
        """Removing the last owner of a project is refused: listed as what blocks the deletion."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        protected = list(protected) + self._last_owner_problems(list(objs), request)
        return deleted, counts, perms_needed, protected

    def _last_owner_problems(self, memberships, request) -> list[str]:
        problems = []
        leaving: dict[int, int] = {}
        for membership in memberships:
            if membership.role == Membership.Role.OWNER:
                leaving[membership.project_id] = leaving.get(membership.project_id, 0) + 1
        for project_id, count in leaving.items():
            owners = Membership.objects.filter(project_id=project_id, role=Membership.Role.OWNER)
            if owners.count() <= count:
                project = Project.objects.get(pk=project_id)
                problems.append(f"{project}: {services.LAST_OWNER}")
        return problems

    def delete_model(self, request, obj):
        services.member_remove(membership=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("project", "user"):
            services.member_remove(membership=membership, by=request.user)


# The change history, API key and Exports pages live in their own modules; importing them
# registers them.
import_module("portal.audit_admin")
import_module("portal.export_admin")
