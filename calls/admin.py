"""Each tenant's call log in the admin: call records, raw events and recordings, read-only.

Records and events are exportable as CSV; recordings play in the list.

These are logs: nobody adds, changes or deletes them here (retention is `prune_calls`). Tenant
staff see only their projects' rows, through TenantScopedAdmin.
"""

import csv
import json
from datetime import datetime

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet, prefetch_related_objects
from django.http import StreamingHttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from calls.models import RECORD_OUTCOME, RECORD_PARTIES, CallEvent, CallRecord, Recording
from calls.story import call_decisions, call_events, call_story
from portal.admin import SearchesNumbers
from portal.models import AppUser
from portal.paginators import BigTableAdmin
from portal.tenancy import ProjectScopedListFilter, TenantScopedAdmin, scope_to_user

RECORD_COLUMNS = [
    "call_id",
    "project__stringee_project_id",
    *RECORD_PARTIES,
    "virtual_number__number",
    *RECORD_OUTCOME,
    "recording_url",
]
EVENT_COLUMNS = [
    "call_id",
    "project__stringee_project_id",
    "type",
    "status",
    "timestamp_ms",
    "occurred_at",
    "received_at",
    "payload",
]


class _Echo:
    def write(self, value: str) -> str:
        return value


# Headers that the fields' own names would not say plainly enough.
CSV_HEADERS = {
    "call_id": _("Call id"),
    "project__stringee_project_id": _("Stringee projectId"),
    "virtual_number__number": _("Virtual number"),
    "recording_url": _("Recording link"),
    "timestamp_ms": _("Stringee timestamp (ms)"),
    "payload": _("Payload"),
}


def csv_header(model: type[Model], column: str) -> str:
    """The human name of a `values_list` column: "Started at", not `started_at`."""
    if column in CSV_HEADERS:
        return str(CSV_HEADERS[column])
    *path, last = column.split("__")
    for name in path:
        model = model._meta.get_field(name).related_model  # type: ignore[assignment]
    field = model._meta.get_field(last)
    return capfirst(str(getattr(field, "verbose_name", last)))


def csv_response(queryset: QuerySet, columns: list[str], filename: str) -> StreamingHttpResponse:
    """Stream `columns` of every row of `queryset` as CSV (times in the portal's time zone), under
    human headers ("Started at")."""

    def cell(value):
        if isinstance(value, datetime):
            return timezone.localtime(value).isoformat()
        if isinstance(value, dict | list):
            return json.dumps(value, ensure_ascii=False, sort_keys=True)
        return "" if value is None else value

    writer = csv.writer(_Echo())
    rows = queryset.values_list(*columns).iterator(chunk_size=2000)
    lines = (writer.writerow([cell(v) for v in row]) for row in rows)
    header = writer.writerow([csv_header(queryset.model, column) for column in columns])
    response = StreamingHttpResponse(
        (line for chunk in ([header], lines) for line in chunk),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class CallLogAdmin(BigTableAdmin, SearchesNumbers, TenantScopedAdmin):
    """Read-only for everyone, with an action and a button exporting the filtered list as CSV."""

    change_list_template = "admin/calls/change_list_export.html"
    actions = ["export_csv"]
    csv_columns: list[str] = []

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields] + list(self.readonly_fields)

    def _csv(self, queryset: QuerySet) -> StreamingHttpResponse:
        name = f"{self.model._meta.model_name}s-{timezone.localdate():%Y%m%d}.csv"
        return csv_response(queryset.order_by(*self.model._meta.ordering), self.csv_columns, name)

    @admin.action(description=_("Export selected/filtered as CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        return self._csv(queryset)

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_export"
        export = self.admin_site.admin_view(self.export_filtered_view)
        return [path("export/", export, name=name), *super().get_urls()]

    def export_filtered_view(self, request):
        """The whole list as the changelist shows it (same filters, search and scope)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        return self._csv(self.get_changelist_instance(request).get_queryset(request))


def _json_block(value) -> str:
    return format_html(
        "<pre>{}</pre>", json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)
    )


def _table(headers: list[str], rows: list[tuple], empty: str) -> str:
    """A plain HTML table for a read-only admin field (cells are escaped unless marked safe)."""
    if not rows:
        return empty
    head = format_html_join("", "<th>{}</th>", ((h,) for h in headers))
    body = format_html_join(
        "",
        "<tr>{}</tr>",
        ((format_html_join("", "<td>{}</td>", ((c,) for c in row)),) for row in rows),
    )
    return format_html("<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>", head, body)


@admin.register(CallRecord)
class CallRecordAdmin(CallLogAdmin):
    number_search_fields = ("from_number", "to_number")
    list_display = [
        "started",
        "caller",
        "callee",
        "status",
        "direction",
        "ring",
        "talk",
        "project",
    ]
    list_display_links = ["started"]
    change_form_template = "admin/calls/callrecord/change_form.html"
    list_filter = [("project", ProjectScopedListFilter), "status", "direction", "started_at"]
    date_hierarchy = "started_at"
    search_fields = ["call_id", "from_number", "to_number", "from_user", "to_user"]
    list_select_related = ["project"]
    readonly_fields = ["timeline", "recordings_table", "routing_story"]
    csv_columns = RECORD_COLUMNS
    fieldsets = [
        (None, {"fields": ["project", "call_id", "direction", "status", "virtual_number"]}),
        (_("Parties"), {"fields": ["from_number", "from_user", "to_number", "to_user"]}),
        (
            _("Times"),
            {"fields": ["started_at", "answered_at", "ended_at", "ring_seconds", "talk_seconds"]},
        ),
        (_("End"), {"fields": ["end_cause", "ended_by"]}),
        (_("Timeline of events"), {"fields": ["timeline"]}),
        (_("Recordings"), {"fields": ["recording_url", "recordings_table"]}),
        (_("Routing decision"), {"fields": ["routing_story"]}),
        (_("History"), {"fields": ["created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        # A list row shows the project; the call's page also its time zone and the number.
        return super().get_queryset(request).select_related("project", "virtual_number")

    def get_object(self, request, object_id, from_field=None):
        """Read once per request: the story above the form and the form show the same call."""
        memo = request.__dict__.setdefault("_call_records", {})
        if (object_id, from_field) not in memo:
            memo[object_id, from_field] = super().get_object(request, object_id, from_field)
        return memo[object_id, from_field]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The call's story first (calls.story), the raw record one click away."""
        record = self.get_object(request, unquote(object_id))
        extra = {}
        if record is not None:
            prefetch_related_objects([record], "decisions", "recordings")  # story and form
            extra = {"story": call_story(record)}
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    @admin.display(description=_("started"), ordering="started_at")
    def started(self, obj):
        """When the call started; its call id (for support) shows on hover and on its page."""
        when = (
            date_format(timezone.localtime(obj.started_at), "SHORT_DATETIME_FORMAT")
            if obj.started_at
            else "–"
        )
        return format_html('<span title="Call id {}">{}</span>', obj.call_id, when)

    @admin.display(description=_("ring (s)"), ordering="ring_seconds")
    def ring(self, obj):
        return obj.ring_seconds

    @admin.display(description=_("talk (s)"), ordering="talk_seconds")
    def talk(self, obj):
        return obj.talk_seconds

    @admin.display(description=_("from"))
    def caller(self, obj):
        return obj.from_number or obj.from_user

    @admin.display(description=_("to"))
    def callee(self, obj):
        return obj.to_number or obj.to_user

    @admin.display(description=_("events"))
    def timeline(self, obj):
        rows = [
            (
                timezone.localtime(e.occurred_at) if e.occurred_at else "",
                e.status,
                timezone.localtime(e.received_at),
                format_html(
                    "<code>{}</code>", json.dumps(e.payload, ensure_ascii=False, sort_keys=True)
                ),
            )
            for e in call_events(obj)
        ]
        return _table(["at", "status", "received", "payload"], rows, "No events yet.")

    @admin.display(description=_("recordings"))
    def recordings_table(self, obj):
        rows = [
            (
                format_html('<a href="{}">{}</a>', r.url, r.url),
                r.format,
                r.duration_seconds or "",
                timezone.localtime(r.received_at),
            )
            for r in obj.recordings.all()
        ]
        return _table(["link", "format", "seconds", "received"], rows, "No recordings.")

    @admin.display(description=_("decisions"))
    def routing_story(self, obj):
        decisions = call_decisions(obj)
        if not decisions:
            return "No routing decision was logged for this call."
        return _json_block(decisions)


@admin.register(CallEvent)
class CallEventAdmin(CallLogAdmin):
    list_display = ["call_id", "project", "type", "status", "occurred_at", "received_at"]
    list_filter = [("project", ProjectScopedListFilter), "status", "type", "received_at"]
    date_hierarchy = "received_at"
    search_fields = ["call_id", "payload__request_from_user_id"]
    list_select_related = ["project"]
    readonly_fields = ["payload_json"]
    csv_columns = EVENT_COLUMNS
    exclude = ["payload"]

    def get_readonly_fields(self, request, obj=None):
        return [name for name in super().get_readonly_fields(request, obj) if name != "payload"]

    @admin.display(description=_("payload"))
    def payload_json(self, obj):
        return _json_block(obj.payload)


class AppUserListFilter(admin.SimpleListFilter):
    """Recordings of calls made by or to one app user of the staff member's projects."""

    title = _("app user")
    parameter_name = "app_user"

    def lookups(self, request, model_admin):
        users = scope_to_user(AppUser.objects.order_by("user_id"), request.user)
        return [(user_id, user_id) for user_id in users.values_list("user_id", flat=True)[:200]]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        return queryset.filter(Q(call__from_user=self.value()) | Q(call__to_user=self.value()))


@admin.register(Recording)
class RecordingAdmin(TenantScopedAdmin):
    """Each tenant's recordings, newest first, each with a player; read-only like the call log."""

    list_display = ["received", "call_link", "number", "app_users", "seconds", "player", "project"]
    list_filter = [
        "received_at",
        ("call__virtual_number", ProjectScopedListFilter),
        AppUserListFilter,
        ("project", ProjectScopedListFilter),
    ]
    date_hierarchy = "received_at"
    search_fields = ["call__call_id", "call__from_user", "call__to_user"]
    list_select_related = ["project", "call", "call__virtual_number"]
    ordering = ["-received_at", "-id"]
    exclude = ["payload"]

    class Media:
        css = {"all": ["portal/recordings.css"]}

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("received"), ordering="received_at")
    def received(self, obj):
        return date_format(timezone.localtime(obj.received_at), "SHORT_DATETIME_FORMAT")

    @admin.display(description=_("call"))
    def call_link(self, obj):
        url = reverse("admin:calls_callrecord_change", args=[obj.call_id])
        caller = obj.call.from_number or obj.call.from_user
        callee = obj.call.to_number or obj.call.to_user
        return format_html('<a href="{}">{} → {}</a>', url, caller or "?", callee or "?")

    @admin.display(description=_("number"))
    def number(self, obj):
        return obj.call.virtual_number or "–"

    @admin.display(description=_("app users"))
    def app_users(self, obj):
        return ", ".join(user for user in (obj.call.from_user, obj.call.to_user) if user) or "–"

    @admin.display(description=_("seconds"), ordering="duration_seconds")
    def seconds(self, obj):
        return round(obj.duration_seconds) if obj.duration_seconds is not None else "–"

    @admin.display(description=_("listen"))
    def player(self, obj):
        return format_html('<audio controls preload="none" src="{}"></audio>', obj.url)
