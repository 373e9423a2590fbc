"""Staff pages for routing rules (with the "simulate a call" page linked from their list)."""

from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.phone import phone_display
from portal.tenancy.admin import ProjectScopedListFilter, TenantScopedAdmin
from routing.admin.forms import CONDITIONAL_FIELDS_JS, DESTINATION_FIELDS, URL_FIELDS, checked_form
from routing.admin.simulate import simulate_urls
from routing.admin.what_if import MEDIA_JS as WHAT_IF_JS
from routing.admin.what_if import ShowsWhatChanges
from routing.kinds import CalledKind
from routing.models import RoutingRule
from routing.services import config as services
from routing.warnings import rules_never_reached
from routing.what_if import Edit, rule_edit


@admin.register(RoutingRule)
class RoutingRuleAdmin(ShowsWhatChanges, TenantScopedAdmin):
    form = checked_form(services.rule_check)
    formfield_overrides = URL_FIELDS
    list_display = [
        "priority",
        "name",
        "enabled",
        "direction",
        "called",
        "destination_kind",
        "reached",
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
        js = [*CONDITIONAL_FIELDS_JS, *WHAT_IF_JS]

    def what_if_edit(self, form, formsets) -> Edit:
        return rule_edit(form.instance)

    def get_urls(self):
        return simulate_urls(self) + super().get_urls()

    def get_queryset(self, request):
        # The list shows each rule's project and what it matches (list_select_related would be
        # skipped once a select_related is set).
        return (
            super().get_queryset(request).select_related("project", "called_number", "called_user")
        )

    def changelist_view(self, request, extra_context=None):
        """Each rule of the page learns whether an earlier rule catches all its calls (one query
        per page, before the page is drawn)."""
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None:
            rows = list(changelist.result_list)
            caught = rules_never_reached(rule.project_id for rule in rows)
            for rule in rows:
                rule.caught_by = caught.get(rule.pk)
        return response

    def save_model(self, request, obj, form, change):
        services.rule_save(rule=obj)
        caught = rules_never_reached([obj.project_id])
        if obj.pk in caught:
            self.message_user(request, never_reached_text(obj, caught[obj.pk]), messages.WARNING)
        for rule_id, earlier in caught.items():
            if earlier.pk == obj.pk:
                later = RoutingRule.objects.get(pk=rule_id)
                self.message_user(request, never_reached_text(later, obj), messages.WARNING)

    @admin.display(description=_("called"), ordering="called_kind")
    def called(self, rule: RoutingRule) -> str:
        """What the rule matches on the called side, named: the number, the user, the pattern."""
        if rule.called_kind == CalledKind.NUMBER and rule.called_number is not None:
            return phone_display(rule.called_number.number)
        if rule.called_kind == CalledKind.USER and rule.called_user is not None:
            return gettext("app user %(user)s") % {"user": rule.called_user.user_id}
        if rule.called_kind == CalledKind.PATTERN:
            if rule.called_pattern.startswith("^"):
                return gettext("numbers matching %(pattern)s") % {"pattern": rule.called_pattern}
            return gettext("numbers starting %(prefix)s") % {"prefix": rule.called_pattern}
        return str(rule.get_called_kind_display())

    @admin.display(description=_("reached?"))
    def reached(self, rule: RoutingRule):
        earlier = getattr(rule, "caught_by", None)
        if not rule.enabled:
            return gettext("no: turned off")
        if earlier is None:
            return "✓"
        return format_html(
            '<span class="never-reached">{}</span>',
            gettext("never: “%(earlier)s” (priority %(priority)d) catches every call first")
            % {"earlier": earlier.name, "priority": earlier.priority},
        )


def never_reached_text(rule: RoutingRule, earlier: RoutingRule) -> str:
    return gettext(
        "“%(rule)s” is never reached: “%(earlier)s” (priority %(priority)d) catches every call it "
        "would first. Give “%(rule)s” a lower priority number, or narrow “%(earlier)s”."
    ) % {"rule": rule.name, "earlier": earlier.name, "priority": earlier.priority}
