"""Staff page for the routing error log: calls that got the fallback message, and why."""

from django.contrib import admin

from portal.tenancy.admin import ProjectScopedListFilter, TenantScopedAdmin
from routing.models import RoutingErrorLog


@admin.register(RoutingErrorLog)
class RoutingErrorLogAdmin(TenantScopedAdmin):
    """Calls that got the fallback message, and why. Written by the answer_url only."""

    list_display = ["created_at", "project", "call_id", "error"]
    list_filter = ["created_at", ("project", ProjectScopedListFilter)]
    search_fields = ["call_id", "error"]
    list_select_related = ["project"]
    readonly_fields = ["project", "created_at", "call_id", "params", "error"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
