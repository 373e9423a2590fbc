"""Staff pages for masked calls: the project's masking pool and its sessions (closed from the
list)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.tenancy import ProjectScopedListFilter, TenantScopedAdmin, user_may
from routing.models import MaskingPoolNumber, MaskingSession
from routing.services import masking


@admin.register(MaskingPoolNumber)
class MaskingPoolNumberAdmin(TenantScopedAdmin):
    """Numbers set aside as proxies: calls to them are routed by sessions, not by rules."""

    list_display = ["number", "project"]
    list_filter = [("project", ProjectScopedListFilter)]
    search_fields = ["number__number"]
    list_select_related = ["project", "number"]


@admin.register(MaskingSession)
class MaskingSessionAdmin(TenantScopedAdmin):
    """Sessions are opened through the API (`masking-sessions`); staff read and close them here."""

    list_display = [
        "id",
        "project",
        "proxy",
        "a_address",
        "b_address",
        "reference",
        "expires_at",
        "closed_at",
    ]
    list_filter = [("project", ProjectScopedListFilter), "closed_at"]
    search_fields = ["a_address", "b_address", "reference", "proxy__number"]
    list_select_related = ["project", "proxy"]
    readonly_fields = [
        "project",
        "proxy",
        "a_kind",
        "a_address",
        "b_kind",
        "b_address",
        "reference",
        "created_at",
        "expires_at",
        "closed_at",
    ]
    actions = ["close_sessions"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)  # actions only

    @admin.action(description=_("Close the selected sessions now"))
    def close_sessions(self, request, queryset):
        closed = 0
        for session in queryset.filter(closed_at__isnull=True):
            if user_may(request.user, session, self.edit_roles):
                masking.masking_session_close(session=session)
                closed += 1
        self.message_user(
            request,
            ngettext("%(count)d session closed.", "%(count)d sessions closed.", closed)
            % {"count": closed},
        )
