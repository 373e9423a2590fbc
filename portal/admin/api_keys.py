"""Tenants' API keys in the admin, and DRF's tokens masked.

Project owners create and revoke keys through portal.services; the plain key is shown once, on
the page that follows its creation, and kept nowhere.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

from portal import services
from portal.models import ApiKey
from portal.tenancy.admin import ProjectScopedListFilter, TenantScopedAdmin
from portal.tenancy.policy import OWNER_ROLES, user_may


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
