"""Staff pages for ring groups (with their members), conference rooms and the business calendar."""

from django.contrib import admin

from portal.admin import ProjectScopedListFilter, TenantScopedAdmin, TenantScopedInline
from routing.admin import DESTINATION_FIELDS, URL_FIELDS
from routing.models import ConferenceRoom, Holiday, OpeningHours, RingGroup, RingGroupMember


class RingGroupMemberInline(TenantScopedInline):
    """The members, in ring order; app user choices come from the staff user's projects only."""

    model = RingGroupMember
    fk_name = "group"
    extra = 1
    max_num = 50
    fields = ["position", "kind", "user", "number", "timeout"]


@admin.register(RingGroup)
class RingGroupAdmin(TenantScopedAdmin):
    formfield_overrides = URL_FIELDS
    list_display = ["name", "project", "strategy", "destination_kind"]
    list_filter = ["strategy", ("project", ProjectScopedListFilter)]
    search_fields = ["name"]
    list_select_related = ["project"]
    inlines = [RingGroupMemberInline]
    fieldsets = [
        (None, {"fields": ["project", "name", "strategy", "caller_id"]}),
        ("When no member answers (final step)", {"fields": DESTINATION_FIELDS}),
    ]


@admin.register(ConferenceRoom)
class ConferenceRoomAdmin(TenantScopedAdmin):
    list_display = ["name", "project", "stringee_room_id", "created_at"]
    list_filter = [("project", ProjectScopedListFilter)]
    search_fields = ["name", "stringee_room_id"]
    list_select_related = ["project"]


@admin.register(OpeningHours)
class OpeningHoursAdmin(TenantScopedAdmin):
    list_display = ["project", "weekday", "opens", "closes"]
    list_filter = ["weekday", ("project", ProjectScopedListFilter)]
    list_select_related = ["project"]


@admin.register(Holiday)
class HolidayAdmin(TenantScopedAdmin):
    list_display = ["date", "name", "project"]
    list_filter = [("project", ProjectScopedListFilter)]
    search_fields = ["name"]
    list_select_related = ["project"]
    date_hierarchy = "date"
