"""Admin pages for the audit log ("Change history") and the tenants' API keys.

Change history is read-only for every staff member and scoped like every tenant page: a tenant's
staff read their own projects' entries (list, filters and CSV alike); superusers read all. API
keys are created and revoked by project owners through portal.services; the plain key is shown
once, on the page that follows its creation, and kept nowhere.
"""

from __future__ import annotations

import csv
from itertools import islice

from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

from portal import services
from portal.audit import WATCHED, changed_fields, name_related_rows
from portal.models import ApiKey, AuditEntry
from portal.tenancy import OWNER_ROLES, ProjectScopedListFilter, TenantScopedAdmin, user_may

CSV_BATCH = 500
FIELDS_IN_LIST = 5


# --- change history ----------------------------------------------------------------------------


class ObjectTypeFilter(admin.SimpleListFilter):
    """The kinds of configuration the audit log watches, by their plain names."""

    title = _("what was changed")
    parameter_name = "type"

    def lookups(self, request, model_admin):
        # ContentType's own cache: no query once the process knows them.
        types = ContentType.objects.get_for_models(*(apps.get_model(label) for label in WATCHED))
        choices = [
            (str(content_type.pk), str(model._meta.verbose_name).capitalize())
            for model, content_type in types.items()
        ]
        return sorted(choices, key=lambda choice: choice[1])

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if not value.isdigit():
            return queryset.none()
        return queryset.filter(content_type_id=int(value))


class PersonFilter(admin.RelatedOnlyFieldListFilter):
    """Staff members who appear in the caller's own entries only."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = gettext("person")


class KeyFilter(admin.RelatedOnlyFieldListFilter):
    """API keys that appear in the caller's own entries only."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = gettext("API key")


class DateFilter(admin.DateFieldListFilter):
    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = gettext("date")


ACTION_NAMES = {
    AuditEntry.Action.CREATE: _("Added"),
    AuditEntry.Action.UPDATE: _("Changed"),
    AuditEntry.Action.DELETE: _("Deleted"),
    AuditEntry.Action.ACCESS: _("Viewed"),
}


def who(entry: AuditEntry) -> str:
    """The staff member, else the program or command, that made the change."""
    if entry.actor is not None:
        return entry.actor.get_username()
    return entry.caller or gettext("Unknown (made outside the portal)")


def object_type(entry: AuditEntry) -> str:
    model = entry.content_type.model_class()
    return str(model._meta.verbose_name).capitalize() if model else entry.content_type.model


def changes_as_text(entry: AuditEntry) -> str:
    """One line per field: “Label: before → after”."""
    return "; ".join(
        f"{label}: {before} → {after}" for label, before, after in changed_fields(entry)
    )


def _csv_rows(queryset: QuerySet):
    writer = csv.writer(_Echo())
    yield writer.writerow(
        [
            gettext("Time"),
            gettext("Project"),
            gettext("What"),
            gettext("Object"),
            gettext("Change"),
            gettext("Who"),
            gettext("From address"),
            gettext("Fields"),
        ]
    )
    entries = queryset.iterator(chunk_size=CSV_BATCH)
    while batch := list(islice(entries, CSV_BATCH)):
        name_related_rows(batch)
        yield from (_csv_row(writer, entry) for entry in batch)


def _csv_row(writer, entry: AuditEntry) -> str:
    return writer.writerow(
        [
            timezone.localtime(entry.timestamp).isoformat(),
            str(entry.project) if entry.project_id and entry.project else "",
            object_type(entry),
            entry.object_repr,
            str(ACTION_NAMES.get(entry.action, entry.action)),
            who(entry),
            entry.remote_addr or "",
            changes_as_text(entry),
        ]
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


# django-auditlog's own admin shows every entry of every tenant, raw: replaced by the page below.
if admin.site.is_registered(AuditEntry):
    admin.site.unregister(AuditEntry)


@admin.register(AuditEntry)
class AuditEntryAdmin(TenantScopedAdmin):
    """ "Change history": who changed which setting, when and from where; nobody may edit it."""

    change_list_template = "admin/portal/auditentry/change_list.html"
    list_display = [
        "when",
        "what",
        "change",
        "fields_changed",
        "who",
        "remote_addr",
        "project",
    ]
    list_display_links = ["when"]
    list_filter = [
        ObjectTypeFilter,
        ("actor", PersonFilter),
        ("api_key", KeyFilter),
        ("timestamp", DateFilter),
        ("project", ProjectScopedListFilter),
    ]
    search_fields = ["object_repr", "caller"]
    list_select_related = ["content_type", "actor", "project"]
    date_hierarchy = "timestamp"
    actions = ["export_csv"]
    readonly_fields = ("when", "project", "what", "change", "who", "remote_addr", "fields_table")
    fields = readonly_fields

    def changelist_view(self, request, extra_context=None):
        """The page's entries name the rows their changes point to with one query per kind of
        row (before the page is drawn)."""
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None:
            name_related_rows(changelist.result_list)
        return response

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("when"), ordering="timestamp")
    def when(self, entry: AuditEntry) -> str:
        return timezone.localtime(entry.timestamp).strftime("%Y-%m-%d %H:%M:%S")

    @admin.display(description=_("what"))
    def what(self, entry: AuditEntry) -> str:
        return f"{object_type(entry)}: {entry.object_repr}"

    @admin.display(description=_("change"), ordering="action")
    def change(self, entry: AuditEntry) -> str:
        return str(ACTION_NAMES.get(entry.action, entry.action))

    @admin.display(description=_("who"))
    def who(self, entry: AuditEntry) -> str:
        return who(entry)

    @admin.display(description=_("fields"))
    def fields_changed(self, entry: AuditEntry):
        """A new row's values, a deleted row's last values, or a change's before → after; the
        first few only (the entry's page has them all)."""
        rows = changed_fields(entry)
        if entry.action == AuditEntry.Action.CREATE:
            lines = [(label, after) for label, _before, after in rows]
        elif entry.action == AuditEntry.Action.DELETE:
            lines = [(label, before) for label, before, _after in rows]
        else:
            lines = [(label, f"{before} → {after}") for label, before, after in rows]
        shown = format_html_join("", "<div><strong>{}</strong>: {}</div>", lines[:FIELDS_IN_LIST])
        hidden = len(lines) - FIELDS_IN_LIST
        if hidden > 0:
            more = gettext("and %(count)d more") % {"count": hidden}
            return format_html("{}<div>… {}</div>", shown, more)
        return shown

    @admin.display(description=_("fields"))
    def fields_table(self, entry: AuditEntry):
        rows = changed_fields(entry)
        if not rows:
            return gettext("No field values recorded.")
        body = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", rows)
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            gettext("Field"),
            gettext("Before"),
            gettext("After"),
            body,
        )

    def _csv(self, queryset: QuerySet) -> StreamingHttpResponse:
        response = StreamingHttpResponse(
            _csv_rows(queryset), content_type="text/csv; charset=utf-8"
        )
        filename = f"change-history-{timezone.localdate():%Y%m%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    @admin.action(description=_("Export selected changes as CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        return self._csv(queryset.select_related(*self.list_select_related))

    def get_urls(self):
        export = self.admin_site.admin_view(self.export_filtered_view)
        return [path("export/", export, name="portal_auditentry_export"), *super().get_urls()]

    def export_filtered_view(self, request):
        """The whole list as the page shows it: same filters, search and tenant scope."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            queryset = self.get_changelist_instance(request).get_queryset(request)
        except (ValueError, OverflowError, admin.options.IncorrectLookupParameters):
            queryset = self.get_queryset(request).none()
        return self._csv(queryset.select_related(*self.list_select_related))


# --- API keys ----------------------------------------------------------------------------------


class ApiKeyForm(forms.ModelForm):
    class Meta:
        model = ApiKey
        fields = ["project", "name", "scope", "expires_at"]


@admin.register(ApiKey)
class ApiKeyAdmin(TenantScopedAdmin):
    """Owners create keys for their programs (shown once) and revoke them."""

    form = ApiKeyForm
    edit_roles = OWNER_ROLES
    list_display = [
        "name",
        "key_start",
        "scope",
        "state",
        "expires_at",
        "last_used_at",
        "project",
    ]
    list_filter = ["scope", ("project", ProjectScopedListFilter)]
    search_fields = ["name", "prefix"]
    list_select_related = ["project"]
    actions = ["revoke_keys"]
    readonly_fields = ["key_start", "state", "created_at", "created_by", "last_used_at"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["project", "name", "scope", "expires_at"]
        return [
            "project",
            "name",
            "key_start",
            "scope",
            "state",
            "expires_at",
            *self.readonly_fields[2:],
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        # A key's project, scope and expiry are fixed: make a new key instead.
        return ["project", "name", "scope", "expires_at", *self.readonly_fields]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    @admin.display(description=_("key starts with"))
    def key_start(self, key: ApiKey) -> str:
        return f"{key.prefix}_…" if key.prefix else ""

    @admin.display(description=_("state"))
    def state(self, key: ApiKey) -> str:
        if key.revoked_at is not None:
            return gettext("Revoked")
        if not key.is_usable():
            return gettext("Expired")
        return gettext("Active")

    def save_model(self, request, obj, form, change):
        if change:
            return
        key, plain_key = services.api_key_create(
            project=obj.project,
            name=obj.name,
            scope=obj.scope,
            expires_at=obj.expires_at,
            created_by=request.user,
        )
        obj.pk, obj.prefix, obj.created_at = key.pk, key.prefix, key.created_at
        obj._state.adding = False
        obj._state.db = key._state.db
        request._new_api_key = plain_key  # type: ignore[attr-defined]

    def response_add(self, request, obj, post_url_continue=None):
        """The one page that shows the key: it is not stored, so it cannot be shown again."""
        plain_key = getattr(request, "_new_api_key", None)
        if plain_key is None:
            return super().response_add(request, obj, post_url_continue)
        return render(
            request,
            "admin/portal/apikey/created.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": gettext("Copy the new API key now"),
                "key": obj,
                "plain_key": plain_key,
            },
        )

    @admin.action(
        description=_("Revoke the selected keys (they stop working at once)"),
        permissions=["change"],
    )
    def revoke_keys(self, request, queryset):
        revoked = 0
        for key in queryset:
            if user_may(request.user, key, self.edit_roles):
                services.api_key_revoke(key=key)
                revoked += 1
        self.message_user(
            request,
            gettext("%(count)d key(s) revoked.") % {"count": revoked},
            messages.SUCCESS if revoked else messages.WARNING,
        )


# --- DRF tokens --------------------------------------------------------------------------------


class MaskedTokenAdmin(TokenAdmin):
    """DRF's token admin, never showing a token in full (only its last four characters)."""

    list_display = ("masked_key", "user", "created")

    @admin.display(description=_("token"))
    def masked_key(self, token) -> str:
        return f"••••{token.key[-4:]}"


if admin.site.is_registered(TokenProxy):
    admin.site.unregister(TokenProxy)
admin.site.register(TokenProxy, MaskedTokenAdmin)
