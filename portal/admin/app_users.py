"""The app users (Stringee client userIds) of each tenant in the admin."""

from django.contrib import admin

from portal.models import AppUser
from portal.tenancy.admin import ProjectScopedListFilter, TenantScopedAdmin


@admin.register(AppUser)
class AppUserAdmin(TenantScopedAdmin):
    list_display = ["user_id", "display_name", "project", "phone_number", "is_active"]
    list_filter = ["is_active", ("project", ProjectScopedListFilter)]
    search_fields = ["user_id", "display_name", "phone_number"]
    list_select_related = ["project"]
