"""The app users (Stringee client userIds) of each tenant in the admin, each with its "Call…"
button (Stringee rings the app user from one of the project's numbers)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.admin.callouts import OffersCall
from portal.models import AppUser
from portal.tenancy.admin import ProjectScopedListFilter, TenantScopedAdmin


@admin.register(AppUser)
class AppUserAdmin(OffersCall, TenantScopedAdmin):
    list_display = ["user_id", "display_name", "project", "phone_number", "is_active"]
    list_filter = ["is_active", ("project", ProjectScopedListFilter)]
    search_fields = ["user_id", "display_name", "phone_number"]
    list_select_related = ["project"]
    change_form_template = "admin/portal/appuser/change_form.html"  # the "Call…" button
    call_title = _("Call %(object)s")

    def call_fixed(self, obj: AppUser) -> dict[str, str] | None:
        return {"to": obj.user_id} if obj.is_active else None
