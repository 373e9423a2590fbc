"""The staff web UI for the tenancy domain, and the tenant-scoped ModelAdmin every app uses.

Superusers see everything. Tenant staff see only their projects' rows, on every page,
dropdown and autocomplete; viewers may look but not change.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import Q
from django.shortcuts import render
from django.utils.html import format_html

from portal import numbers
from portal.models import AppUser, Membership, Project, VirtualNumber
from portal.phone import normalize_or_none
from portal.tenancy import EDITOR_ROLES, OWNER_ROLES, project_ids_for, scope_to_user, user_may

admin.site.site_header = "Stringee call-routing portal"
admin.site.site_title = "Call-routing portal"
admin.site.index_title = "Tenants, numbers and calls"


class TenantScopedChoices:
    """Foreign-key and many-to-many dropdowns offer only the staff user's own projects' objects."""

    edit_roles = EDITOR_ROLES

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        self._scope_choices(field, db_field, request)
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        self._scope_choices(field, db_field, request)
        return field

    def _scope_choices(self, field, db_field, request) -> None:
        """Offer only the caller's own projects' objects (editable projects for `project`)."""
        if field is None or not hasattr(db_field.related_model, "tenant_lookup"):
            return
        roles = self.edit_roles if db_field.related_model is Project else None
        field.queryset = scope_to_user(field.queryset, request.user, roles)


class TenantScopedAdmin(TenantScopedChoices, admin.ModelAdmin):
    """Scopes lists, object pages, dropdowns and autocompletes to the staff user's projects.

    `edit_roles` are the membership roles allowed to add, change and delete; any member may view.
    """

    def get_queryset(self, request):
        return scope_to_user(super().get_queryset(request), request.user)

    def has_module_permission(self, request):
        return (
            request.user.is_active
            and request.user.is_staff
            and user_may(request.user, None, Membership.Role.values)
        )

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request) and (
            obj is None or user_may(request.user, obj, Membership.Role.values)
        )

    def has_add_permission(self, request):
        return request.user.is_staff and user_may(request.user, None, self.edit_roles)

    def has_change_permission(self, request, obj=None):
        return request.user.is_staff and user_may(request.user, obj, self.edit_roles)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)


class TenantScopedInline(TenantScopedChoices, admin.TabularInline):
    """Rows edited on a tenant object's page (menu keys, group members): the parent's roles apply.

    `obj` is the parent object, already scoped by its own admin (None on its add page).
    """

    def has_view_permission(self, request, obj=None):
        return user_may(request.user, obj, Membership.Role.values)

    def has_add_permission(self, request, obj=None):
        return user_may(request.user, obj, self.edit_roles)

    def has_change_permission(self, request, obj=None):
        return user_may(request.user, obj, self.edit_roles)

    def has_delete_permission(self, request, obj=None):
        return user_may(request.user, obj, self.edit_roles)


class ProjectScopedListFilter(admin.RelatedOnlyFieldListFilter):
    """A project filter that lists only projects present in the caller's scoped rows."""


class ProjectForm(forms.ModelForm):
    api_key_secret = forms.CharField(
        label="API key secret",
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Stored to sign and verify JWTs; never shown again. Leave blank to keep the current one.",
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
            "fallback_message",
            "retention_days",
        ]

    def clean_api_key_secret(self):
        secret = self.cleaned_data["api_key_secret"]
        if not secret and not self.instance.pk:
            raise forms.ValidationError("Enter the API key secret issued by Stringee.")
        return secret or self.instance.api_key_secret


@admin.register(Project)
class ProjectAdmin(TenantScopedAdmin):
    form = ProjectForm
    edit_roles = OWNER_ROLES
    list_display = ["name", "stringee_project_id", "api_key_sid", "masked_secret", "time_zone", "is_active"]
    list_filter = ["is_active", "time_zone"]
    search_fields = ["name", "stringee_project_id", "api_key_sid"]
    readonly_fields = [
        "webhook_urls",
        "masked_secret",
        "webhook_token_rotated_at",
        "created_at",
        "updated_at",
    ]
    exclude = ["webhook_token", "previous_webhook_token"]
    actions = ["rotate_webhook_tokens"]
    fieldsets = [
        (None, {"fields": ["name", "stringee_project_id", "is_active", "time_zone"]}),
        ("Stringee API key", {"fields": ["api_key_sid", "masked_secret", "api_key_secret"]}),
        (
            "Webhooks (paste these into the Stringee dashboard)",
            {
                "fields": ["webhook_urls", "webhook_token_rotated_at"],
            },
        ),
        ("Behaviour", {"fields": ["fallback_message", "retention_days"]}),
        ("History", {"fields": ["created_at", "updated_at"]}),
    ]

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def get_readonly_fields(self, request, obj=None):
        # The projectId is the tenant's identity in every webhook URL: fixed once created.
        return [*self.readonly_fields, "stringee_project_id"] if obj else self.readonly_fields

    @admin.display(description="API key secret (masked)")
    def masked_secret(self, obj):
        return obj.masked_secret

    @admin.display(description="answer_url / event_url")
    def webhook_urls(self, obj):
        if not obj.pk:
            return "Shown once the project is saved."
        return format_html(
            "<p><strong>answer_url</strong><br><code>{}</code></p>"
            "<p><strong>event_url</strong><br><code>{}</code></p>",
            obj.answer_url,
            obj.event_url,
        )

    @admin.action(description="Rotate webhook token (the old one keeps working for a grace period)")
    def rotate_webhook_tokens(self, request, queryset):
        for project in queryset:
            if user_may(request.user, project, self.edit_roles):
                project.rotate_webhook_token()
        self.message_user(request, "New webhook URLs are shown on each project's page.")


class AssignNumbersForm(forms.Form):
    project = forms.ModelChoiceField(queryset=Project.objects.filter(is_active=True))


class ReleaseNumbersForm(forms.Form):
    days = forms.IntegerField(min_value=0, max_value=365, label="Quarantine (days)")


@admin.register(VirtualNumber)
class VirtualNumberAdmin(TenantScopedAdmin):
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
        """Any typed form of a number (0901…, +84 90…, 84901…) finds it."""
        e164 = normalize_or_none(search_term)
        if e164:
            return queryset.filter(number=e164), False
        digits = "".join(ch for ch in search_term if ch.isdigit())
        if digits and len(digits) >= 3:
            return queryset.filter(Q(number__contains=digits) | Q(label__icontains=search_term)), False
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

    @admin.action(description="Assign to project…")
    def assign_to_project(self, request, queryset):
        if not request.user.is_superuser:
            self.message_user(request, "Only portal administrators assign numbers.", messages.ERROR)
            return None
        form = AssignNumbersForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return self._action_page(
                request, queryset, form, "assign_to_project", "Assign numbers to a project", "Assign"
            )
        project = form.cleaned_data["project"]
        for number in queryset:
            try:
                numbers.assign_number(number.number, project)
                self.message_user(request, f"{number} assigned to {project}.")
            except numbers.NumberUnavailable as exc:
                self.message_user(request, f"Not assigned: {exc}", messages.ERROR)
        return None

    @admin.action(description="Release (quarantine N days)")
    def release_numbers(self, request, queryset):
        if not user_may(request.user, None, self.edit_roles):
            return None
        form = ReleaseNumbersForm(
            request.POST if "apply" in request.POST else None,
            initial={"days": settings.NUMBER_QUARANTINE_DAYS},
        )
        if not form.is_valid():
            return self._action_page(
                request, queryset, form, "release_numbers", "Release numbers into quarantine", "Release"
            )
        editable = project_ids_for(request.user, self.edit_roles)
        for number in queryset.filter(status=VirtualNumber.Status.ASSIGNED):
            if request.user.is_superuser or number.project_id in editable:
                numbers.release_number(number, form.cleaned_data["days"])
                self.message_user(request, f"{number} released.")
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
