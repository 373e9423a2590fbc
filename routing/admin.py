"""Staff pages for routing: rules (with "simulate a call"), IVR menus with their keys, the error log.

Ring groups, conference rooms, the calendar and masking have their own admin modules, loaded below.
"""

from django.contrib import admin
from django.db import models

from portal.admin import ProjectScopedListFilter, TenantScopedAdmin, TenantScopedInline
from routing.models import IvrMenu, IvrOption, RoutingErrorLog, RoutingRule

URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}
DESTINATION_FIELDS = [
    "destination_kind",
    "destination_user",
    "destination_number",
    "destination_sip",
    "destination_menu",
    "destination_group",
    "message_text",
    "message_voice",
    "message_play_url",
]


@admin.register(RoutingRule)
class RoutingRuleAdmin(TenantScopedAdmin):
    formfield_overrides = URL_FIELDS
    list_display = ["name", "project", "priority", "enabled", "direction", "called_kind", "destination_kind"]
    list_display_links = ["name"]
    list_editable = ["priority", "enabled"]
    list_filter = ["enabled", "direction", "destination_kind", ("project", ProjectScopedListFilter)]
    search_fields = ["name", "called_pattern", "caller_pattern", "destination_number", "custom_data"]
    ordering = ["project", "priority", "id"]
    list_select_related = ["project"]
    change_list_template = "admin/routing/routingrule/change_list.html"  # links to "Simulate a call"
    fieldsets = [
        (None, {"fields": ["project", "name", "priority", "enabled"]}),
        (
            "When a call matches",
            {
                "fields": [
                    "direction",
                    "called_kind",
                    "called_number",
                    "called_user",
                    "called_pattern",
                    "caller_pattern",
                    ("schedule_days", "schedule_start", "schedule_end"),
                    "business_hours",
                ],
                "description": "Patterns: a prefix in Stringee's digits (8490…) or a regular expression "
                "starting with ^. Days: ISO weekday digits, e.g. 12345 for Monday to Friday.",
            },
        ),
        ("Send it to", {"fields": DESTINATION_FIELDS}),
        (
            "Options",
            {
                "fields": [
                    "caller_id",
                    ("record", "record_format"),
                    ("timeout", "max_connect_time"),
                    "peer_to_peer_call",
                    "custom_data",
                    ("continue_on_fail", "on_fail_kind"),
                    ("on_fail_number", "on_fail_text"),
                ]
            },
        ),
    ]

    def get_urls(self):
        from routing.simulate_views import simulate_urls

        return simulate_urls(self) + super().get_urls()


class IvrOptionInline(TenantScopedInline):
    """The keys of a menu; their dropdowns offer only the staff user's own projects' data."""

    model = IvrOption
    formfield_overrides = URL_FIELDS
    fk_name = "menu"
    extra = 1
    max_num = 12
    fields = ["digit", *DESTINATION_FIELDS]


@admin.register(IvrMenu)
class IvrMenuAdmin(TenantScopedAdmin):
    formfield_overrides = URL_FIELDS
    list_display = ["name", "project", "timeout", "max_retries", "destination_kind"]
    list_filter = [("project", ProjectScopedListFilter)]
    search_fields = ["name", "greeting_text"]
    list_select_related = ["project"]
    inlines = [IvrOptionInline]
    fieldsets = [
        (None, {"fields": ["project", "name"]}),
        ("Greeting", {"fields": ["greeting_text", "greeting_voice", "greeting_play_url"]}),
        ("Keys pressed", {"fields": ["timeout", "max_retries", "invalid_message"]}),
        ("When no valid key is pressed (fallback)", {"fields": DESTINATION_FIELDS}),
    ]


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


from routing import groups_admin, masking_admin  # noqa: E402, F401  (register their pages)
