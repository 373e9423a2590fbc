"""Staff pages for ring groups (with their members, in ring order) and conference rooms."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.tenancy.admin import ProjectScopedListFilter, TenantScopedAdmin, TenantScopedInline
from routing.admin.flow import MEDIA_JS as FLOW_JS
from routing.admin.flow import ShowsWhereCallsGo
from routing.admin.forms import (
    CONDITIONAL_FIELDS_JS,
    DESTINATION_FIELDS,
    URL_FIELDS,
    checked_form,
    formset_rows,
)
from routing.admin.unused import WarnsWhenUnused
from routing.admin.what_if import MEDIA_JS as WHAT_IF_JS
from routing.admin.what_if import ShowsWhatChanges
from routing.kinds import DestinationKind
from routing.models import ConferenceRoom, RingGroup, RingGroupMember
from routing.services import config as services
from routing.what_if import Edit, group_edit


class RingGroupMemberInline(TenantScopedInline):
    """The members, in ring order; app user choices come from the staff user's projects only."""

    model = RingGroupMember
    form = checked_form(lambda member: services.member_check(member, member.group))
    fk_name = "group"
    extra = 1
    max_num = 50
    fields = ["position", "kind", "user", "number", "timeout"]


@admin.register(RingGroup)
class RingGroupAdmin(ShowsWhatChanges, ShowsWhereCallsGo, WarnsWhenUnused, TenantScopedAdmin):
    destination = DestinationKind.GROUP
    what_if_focus = "group"
    form = checked_form(services.group_check)
    formfield_overrides = URL_FIELDS
    list_display = ["name", "project", "strategy", "destination_kind", "used"]
    list_filter = ["strategy", ("project", ProjectScopedListFilter)]
    search_fields = ["name"]
    list_select_related = ["project"]
    inlines = [RingGroupMemberInline]
    fieldsets = [
        (None, {"fields": ["project", "name", "strategy", "caller_id"]}),
        (_("When no member answers (final step)"), {"fields": DESTINATION_FIELDS}),
        (_("Where the project's calls go"), {"fields": ["flow_picture"]}),
    ]
    readonly_fields = ["flow_picture"]

    class Media:
        js = [*CONDITIONAL_FIELDS_JS, *FLOW_JS, *WHAT_IF_JS]

    def what_if_edit(self, form, formsets) -> Edit:
        return group_edit(form.instance, ring_order(formset_rows(formsets[0])))

    def save_model(self, request, obj, form, change):
        """Saved with its members in `save_related`, as one write of the ring-group service."""

    def save_related(self, request, form, formsets, change):
        services.group_save(group=form.instance, members=ring_order(formset_rows(formsets[0])))


def ring_order(rows: list[dict]) -> list[dict]:
    """In the order of their numbers; a row added without one rings after the numbered ones."""
    return sorted(rows, key=lambda row: row.get("position") or float("inf"))


@admin.register(ConferenceRoom)
class ConferenceRoomAdmin(TenantScopedAdmin):
    list_display = ["name", "project", "stringee_room_id", "created_at"]
    list_filter = [("project", ProjectScopedListFilter)]
    search_fields = ["name", "stringee_room_id"]
    list_select_related = ["project"]
