"""The staff web UI for the tenancy domain: projects, the number inventory, app users, staff.

Superusers see everything. Tenant staff see only their projects' rows, on every page,
dropdown and autocomplete (portal.tenancy); viewers may look but not change.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import Q
from django.shortcuts import render
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from portal import services
from portal.models import AppUser, Membership, Project, VirtualNumber
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
    actions = ["rotate_webhook_tokens"]
    fieldsets = [
        (None, {"fields": ["name", "stringee_project_id", "is_active", "time_zone"]}),
        (_("Stringee API key"), {"fields": ["api_key_sid", "masked_secret", "api_key_secret"]}),
        (
            "Webhooks (paste these into the Stringee dashboard)",
            {
                "fields": ["webhook_urls", "webhook_token_rotated_at"],
            },
        ),
        (
            "Webhook signatures (X-STRINGEE-SIGNATURE)",
            {
                "fields": [
                    "signing_mode",
                    "masked_signing_secret",
                    "signing_secret",
                    "signature_failures",
                ],
            },
        ),
        (_("Behaviour"), {"fields": ["fallback_message", "caller_voice", "retention_days"]}),
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
        description=_("Rotate webhook token (the old one keeps working for a grace period)")
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


@admin.register(VirtualNumber)
class VirtualNumberAdmin(SearchesNumbers, TenantScopedAdmin):
    number_search_fields = ("number",)
    list_display = ["number", "project", "status", "label", "assigned_at", "quarantined_until"]
    list_filter = ["status", ("project", ProjectScopedListFilter)]
    search_fields = ["number", "label"]
    list_select_related = ["project"]
    actions = ["assign_to_project", "release_numbers"]

    def get_readonly_fields(self, request, obj=None):
        # Ownership changes only through the assign/release actions, which check availability.
        owned = ["project", "status", "assigned_at", "released_at", "quarantined_until"]
        return owned + (["number"] if obj else [])

    def has_add_permission(self, request):
        return request.user.is_superuser  # the inventory is stocked by the operator of the portal

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
            },
        )

    @admin.action(description=_("Assign to project…"))
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

    @admin.action(description=_("Release (quarantine N days)"))
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
                "Release numbers into quarantine",
                "Release",
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


@admin.register(Membership)
class MembershipAdmin(TenantScopedAdmin):
    edit_roles = OWNER_ROLES
    hide_single_project = False  # who is on which project is the point of this list
    list_display = ["user", "project", "role"]
    list_filter = ["role", ("project", ProjectScopedListFilter)]
    search_fields = ["user__username", "project__name"]
    list_select_related = ["user", "project"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "user" and not request.user.is_superuser:
            # Owners pick among people already on their projects, never the whole user table.
            field.queryset = field.queryset.filter(
                memberships__project__in=project_ids_for(request.user)
            ).distinct()
        return field
