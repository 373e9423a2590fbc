"""Staff pages for routing rules (with the "simulate a call" page linked from their list)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.tenancy.admin import ProjectScopedListFilter, TenantScopedAdmin
from routing.admin.forms import CONDITIONAL_FIELDS_JS, DESTINATION_FIELDS, URL_FIELDS, checked_form
from routing.admin.simulate import simulate_urls
from routing.models import RoutingRule
from routing.services import config as services


@admin.register(RoutingRule)
class RoutingRuleAdmin(TenantScopedAdmin):
    form = checked_form(services.rule_check)
    formfield_overrides = URL_FIELDS
    list_display = [
        "priority",
        "name",
        "enabled",
        "direction",
        "called_kind",
        "destination_kind",
        "project",
    ]
    list_display_links = ["name"]
    list_editable = ["priority", "enabled"]
    list_filter = ["enabled", "direction", "destination_kind", ("project", ProjectScopedListFilter)]
    search_fields = [
        "name",
        "called_pattern",
        "caller_pattern",
        "destination_number",
        "custom_data",
    ]
    ordering = ["project", "priority", "id"]
    list_select_related = ["project"]
    change_list_template = (
        "admin/routing/routingrule/change_list.html"  # links to "Simulate a call"
    )
    fieldsets = [
        (None, {"fields": ["project", "name", "priority", "enabled"]}),
        (
            _("When a call matches"),
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
                "description": _(
                    "Patterns: a prefix in Stringee's digits "
                    "(8490…) or a regular expression "
                    "starting with ^. Days: Mon-Fri, 1-5, 1,3,5 or Mon,Wed,Fri (1 = Monday)."
                ),
            },
        ),
        (_("Send it to"), {"fields": DESTINATION_FIELDS}),
        (
            _("Options"),
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

    class Media:
        js = CONDITIONAL_FIELDS_JS

    def get_urls(self):
        return simulate_urls(self) + super().get_urls()

    def save_model(self, request, obj, form, change):
        services.rule_save(rule=obj)
