"""Projects in the admin: keys (write-only), webhook URLs, signatures, what callers hear, and
deactivation that first says what stops working."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, available_timezones

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from portal import services
from portal.admin.callouts import not_connected_line
from portal.dialling import NumberKind, country_name, kind_names
from portal.errors import DomainError
from portal.models import AllowedDestination, Project, ProjectCreation, VirtualNumber, dial_policy
from portal.stringee.client import is_connected
from portal.stringee.errors import reason_for
from portal.tenancy.admin import TenantScopedAdmin, TenantScopedInline
from portal.tenancy.policy import OWNER_ROLES, user_may
from portal.webhooks.redaction import redact

SIGNATURE_FAILURES_SHOWN = 10


class AllowedDestinationForm(forms.ModelForm):
    kinds = forms.MultipleChoiceField(
        label=_("kinds of number"),
        choices=NumberKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("None ticked: no call to this country."),
    )

    class Meta:
        model = AllowedDestination
        fields = ["country", "kinds"]


class AllowedDestinationInline(TenantScopedInline):
    """Where the project's calls may go, country by country: superusers change it, the project's
    staff read it."""

    model = AllowedDestination
    form = AllowedDestinationForm
    extra = 0
    verbose_name = _("country calls may go to")
    verbose_name_plural = _("countries calls may go to")

    def has_add_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


def time_zone_choices() -> list[tuple[str, str]]:
    """Every IANA time zone by name, with its offset today: "Asia/Ho Chi Minh (UTC+07:00)"."""
    now = datetime.now(UTC)
    choices = []
    for name in sorted(available_timezones()):
        if ("/" not in name and name != "UTC") or name.startswith(("Etc/", "SystemV/")):
            continue
        offset = now.astimezone(ZoneInfo(name)).strftime("%z")
        choices.append((name, f"{name.replace('_', ' ')} (UTC{offset[:3]}:{offset[3:]})"))
    return choices


class ProjectForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        label=_("time zone"),
        choices=time_zone_choices,
        help_text=_("Opening hours, holidays and the times staff see follow it."),
    )
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
            "keep_recording_copies",
            "external_calls_per_hour",
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

    def clean_external_calls_per_hour(self):
        """A post without the ceiling (an older script) keeps it; an empty field removes it."""
        if "external_calls_per_hour" not in self.data:
            return self.instance.external_calls_per_hour
        return self.cleaned_data["external_calls_per_hour"]

    def clean_caller_voice(self):
        return self.cleaned_data["caller_voice"] or self.instance.caller_voice

    def clean_signing_secret(self):
        return self.cleaned_data["signing_secret"].strip() or self.instance.signing_secret


class CreateOnStringeeForm(forms.Form):
    """A new project, created on Stringee first: its name and time zone."""

    name = forms.CharField(label=_("name"), max_length=200)
    time_zone = forms.ChoiceField(
        label=_("time zone"), choices=time_zone_choices, initial=settings.TIME_ZONE
    )


CREATE_EXPLAINED = _(
    "The portal asks Stringee to create a project of this name, then adds it here with the "
    "projectId and API key Stringee gives it (the key's secret is stored, never shown). "
    "Stringee cannot be told the project's answer_url and event_url afterwards, and they carry "
    "the projectId it chooses: paste them from the project's page into the Stringee dashboard. "
    "Its numbers get theirs when they are assigned."
)


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
        "dial_summary",
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
                    "keep_recording_copies",
                ]
            },
        ),
        (
            _("Where calls may go"),
            {
                "fields": ["dial_summary", "external_calls_per_hour"],
                "description": _(
                    "Calls may be sent only to the kinds of phone number listed below, country by "
                    "country, and at most this many an hour: a guard against toll fraud (calls "
                    "pumped to premium-rate or far-away numbers). Only the portal's "
                    "administrators change it."
                ),
            },
        ),
        (
            _("Staff sign-in"),
            {
                "fields": ["staff_need_second_factor"],
                "description": _(
                    "Ask everyone working on this project for a code from their phone after "
                    "their password (two-factor sign-in)."
                ),
            },
        ),
        (_("History"), {"fields": ["created_at", "updated_at"]}),
    ]
    inlines = [AllowedDestinationInline]
    change_list_template = "admin/portal/project/change_list.html"  # "Create on Stringee…"

    def has_add_permission(self, request):
        return request.user.is_superuser

    def get_urls(self):
        view = self.admin_site.admin_view(self.create_on_stringee_view)
        return [
            path("create-on-stringee/", view, name="portal_project_create_on_stringee"),
            *super().get_urls(),
        ]

    def create_on_stringee_view(self, request):
        """Superusers: a project created on Stringee, then here (the worker asks; the page
        waits a few seconds for it and says what happened)."""
        if not request.user.is_superuser:
            raise PermissionDenied
        form = CreateOnStringeeForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            try:
                creation = services.project_creation_request(
                    by=request.user.get_username(), **form.cleaned_data
                )
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                return self._creation_outcome(request, services.row_settled(creation), form)
        return render(
            request,
            "admin/portal/project/create_on_stringee.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": gettext("Create a project on Stringee"),
                "form": form,
                "explanation": CREATE_EXPLAINED if is_connected() else not_connected_line(),
            },
        )

    def _creation_outcome(self, request, creation: ProjectCreation, form):
        if creation.state == ProjectCreation.State.CREATED and creation.project is not None:
            self.message_user(
                request,
                gettext(
                    "%(name)s was created on Stringee (projectId %(id)s) and added with its API "
                    "key. Paste its answer_url and event_url below into the Stringee dashboard."
                )
                % {"name": creation.name, "id": creation.project.stringee_project_id},
            )
            return redirect("admin:portal_project_change", creation.project.pk)
        if creation.state == ProjectCreation.State.FAILED:
            self.message_user(
                request,
                gettext("%(name)s was not created on Stringee: %(reason)s.")
                % {"name": creation.name, "reason": reason_for(creation.error)},
                messages.ERROR,
            )
            return redirect("admin:portal_project_create_on_stringee")
        self.message_user(
            request,
            gettext(
                "%(name)s is being created on Stringee; it appears in this list once Stringee "
                "has answered."
            )
            % {"name": creation.name},
            messages.WARNING,
        )
        return redirect("admin:portal_project_changelist")

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
        fixed = [*self.readonly_fields, "stringee_project_id"] if obj else self.readonly_fields
        # Where calls may go is the portal's guard against toll fraud: superusers set it.
        return fixed if request.user.is_superuser else [*fixed, "external_calls_per_hour"]

    @admin.display(description=_("allowed now"))
    def dial_summary(self, obj):
        """Where the project's calls may go, in words (the default when no country is listed)."""
        policy = dial_policy(obj.pk) if obj.pk else dial_policy(0)
        lines = [
            (country_name(country), kind_names(sorted(kinds)) or gettext("nothing"))
            for country, kinds in sorted(policy.allowed.items())
        ]
        listed = format_html_join("", "<div><strong>{}</strong>: {}</div>", lines)
        if obj.pk and obj.allowed_destinations.exists():
            return listed
        return format_html(
            '{}<div class="help">{}</div>',
            listed,
            gettext("The portal's default: no country is listed below."),
        )

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
                services.project_rotate_webhook_token(project=project)
        self.message_user(request, _("New webhook URLs are shown on each project's page."))
