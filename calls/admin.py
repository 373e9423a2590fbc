"""Each tenant's call log in the admin: call records, raw events and recordings, read-only.

Records and events are exportable as CSV (files written by the worker, downloaded from the
Exports page); recordings play in the list and on a call's page, through the portal
(`/admin/calls/recording/<id>/audio/`, calls.playback): the browser never gets Stringee's link.

These are logs: nobody adds, changes or deletes them here (retention is `prune_calls`). Tenant
staff see only their projects' rows, through ReadOnlyScopedAdmin (a TenantScopedAdmin).
"""

import json

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import Model, Q, QuerySet, prefetch_related_objects
from django.http import Http404, HttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from calls.emulator.ids import TEST_CALL_PREFIX
from calls.models import (
    CALL_EVENT_TYPE,
    RECORD_CALL_LOG,
    RECORD_OUTCOME,
    RECORD_PARTIES,
    CallEvent,
    CallLogUse,
    CallRecord,
    CopyStatus,
    Recording,
)
from calls.playback import (
    RecordingUnavailable,
    link_shown,
    problem_status,
    recording_problem,
    recording_response,
)
from calls.story import EVENT_WORDS, call_decisions, call_events, call_story, end_in_words
from calls.try_page import try_urls
from portal.admin.exports import ExportsToFile
from portal.admin.numbers import SearchesNumbers
from portal.admin.paginators import BigTableAdmin
from portal.durations import duration_in_words
from portal.exports import csv_cell
from portal.models import AppUser
from portal.stringee.recordings import PROBLEMS
from portal.templatetags.money import vnd
from portal.tenancy.admin import ProjectScopedListFilter, ReadOnlyScopedAdmin
from portal.tenancy.policy import scope_to_user

RECORD_COLUMNS = [
    "call_id",
    "project__stringee_project_id",
    *RECORD_PARTIES,
    "virtual_number__number",
    *RECORD_OUTCOME,
    "recording_url",
    *RECORD_CALL_LOG,
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


# The list's short mark of what Stringee's call log did to a call (the call's page says more).
CALL_LOG_MARKS = {
    CallLogUse.ADDED: _("added from Stringee's log"),
    CallLogUse.COMPLETED: _("ended from Stringee's log"),
}

# Headers that the fields' own names would not say plainly enough.
CSV_HEADERS = {
    "call_id": _("Call id"),
    "project__stringee_project_id": _("Stringee projectId"),
    "virtual_number__number": _("Virtual number"),
    "recording_url": _("Recording link"),
    "timestamp_ms": _("Stringee timestamp (ms)"),
    "payload": _("Payload"),
    "amount": _("Charge (VND)"),
    "call_log": _("From Stringee's call log"),
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


class TestCallFilter(admin.SimpleListFilter):
    """Real calls, or the test calls placed with the call emulator (calls.emulator). The list
    shows both unless filtered; an export leaves test calls out unless this filter asks for
    them."""

    title = _("test calls")
    parameter_name = "test_call"
    ONLY = "yes"

    def lookups(self, request, model_admin):
        return [("no", _("Real calls only")), (self.ONLY, _("Test calls only"))]

    def queryset(self, request, queryset):
        if self.value() == self.ONLY:
            return queryset.filter(model_admin_test_calls(queryset))
        if self.value() == "no":
            return queryset.exclude(model_admin_test_calls(queryset))
        return queryset


def model_admin_test_calls(queryset: QuerySet) -> Q:
    """The rows of test calls: a record's flag, an event's call id."""
    if queryset.model is CallRecord:
        return Q(is_test=True)
    return Q(call_id__startswith=TEST_CALL_PREFIX)


def without_test_calls_unless_asked(queryset: QuerySet, request) -> QuerySet:
    """An export's rows: test calls only when the list was filtered to them."""
    if request.GET.get(TestCallFilter.parameter_name) == TestCallFilter.ONLY:
        return queryset
    return queryset.exclude(model_admin_test_calls(queryset))


class CallLogAdmin(ExportsToFile, BigTableAdmin, SearchesNumbers, ReadOnlyScopedAdmin):
    """Read-only for everyone, with an action and a button exporting the filtered list as CSV
    (written by the worker: portal.admin.exports)."""

    csv_columns: list[str] = []

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields] + list(self.readonly_fields)

    def export_header(self) -> list[str]:
        return [csv_header(self.model, column) for column in self.csv_columns]

    def export_queryset(self, queryset: QuerySet, request) -> QuerySet:
        return without_test_calls_unless_asked(queryset, request)

    def export_cells(self, queryset: QuerySet) -> dict[int, list]:
        """Each row's cells by primary key (times in the portal's time zone)."""
        rows = queryset.values_list("pk", *self.csv_columns)
        zone = timezone.get_current_timezone()
        return {pk: [csv_cell(value, zone) for value in values] for pk, *values in rows}


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


def call_pages(project_ids: set[int], call_ids: set[str]) -> dict[tuple[int, str], str]:
    """The call log page of each of these calls that has a record: {(project id, call id):
    URL}, in one query (the outbound calls list links its page's calls with it)."""
    rows = CallRecord.objects.filter(project_id__in=project_ids, call_id__in=call_ids)
    return {
        (project_id, call_id): reverse("admin:calls_callrecord_change", args=[pk])
        for pk, project_id, call_id in rows.values_list("pk", "project_id", "call_id")
    }


def audio_url(recording: Recording) -> str:
    """Where the portal plays a recording (calls.admin.RecordingAdmin.audio_view)."""
    return reverse("admin:calls_recording_audio", args=[recording.pk])


def player(recording: Recording) -> str:
    """A player that asks the portal for the audio, or in plain words why it cannot play."""
    problem = recording_problem(recording)
    if problem:
        return format_html('<span class="recording-problem">{}</span>', problem)
    return format_html(
        '<audio controls preload="none" src="{}" data-recording-player></audio>'
        '<span class="recording-problem" hidden></span>',
        audio_url(recording),
    )


def copy_state(recording: Recording) -> str:
    """Where the portal's copy stands, in words (empty when the project keeps none)."""
    if not recording.copy_status:
        return "–"
    words = str(recording.get_copy_status_display())
    if recording.copy_status == CopyStatus.FAILED:
        reason = str(PROBLEMS.get(recording.copy_error, PROBLEMS["refused"]))
        tries = ngettext("tried %(n)d time", "tried %(n)d times", recording.copy_attempts) % {
            "n": recording.copy_attempts
        }
        later = (
            gettext("tried again after %(when)s")
            % {
                "when": date_format(
                    timezone.localtime(recording.copy_next_try_at), "SHORT_DATETIME_FORMAT"
                )
            }
            if recording.copy_next_try_at
            else gettext("no more tries")
        )
        return f"{words}: {reason} ({tries}; {later})"
    return words


@admin.register(CallRecord)
class CallRecordAdmin(CallLogAdmin):
    number_search_fields = ("from_number", "to_number")
    list_display = [
        "started",
        "caller",
        "callee",
        "outcome",
        "direction",
        "ring",
        "talk",
        "charge",
        "project",
    ]
    list_display_links = ["started"]
    change_form_template = "admin/calls/callrecord/change_form.html"
    change_list_template = "admin/calls/callrecord/change_list.html"  # links to "Try a call"
    # No date drill-down: it reads the distinct years of every row of the log. The dates filter
    # (today, past 7 days, this month, this year) costs no query.
    list_filter = [
        ("project", ProjectScopedListFilter),
        "status",
        "direction",
        "call_log",
        "started_at",
        TestCallFilter,
    ]
    search_fields = ["call_id", "from_number", "to_number", "from_user", "to_user"]
    list_select_related = ["project"]
    readonly_fields = [
        "timeline",
        "recordings_table",
        "recording_link",
        "routing_story",
        "ring",
        "talk",
        "how_it_ended",
        "charge",
    ]
    csv_columns = RECORD_COLUMNS

    class Media:
        css = {"all": ["portal/recordings.css"]}
        js = ["portal/recordings.js"]

    fieldsets = [
        (
            None,
            {"fields": ["project", "call_id", "direction", "status", "virtual_number", "is_test"]},
        ),
        (_("Parties"), {"fields": ["from_number", "from_user", "to_number", "to_user"]}),
        (
            _("Times"),
            {"fields": ["started_at", "answered_at", "ended_at", "ring", "talk"]},
        ),
        (_("End"), {"fields": ["how_it_ended"]}),
        (_("Stringee's call log"), {"fields": ["call_log", "charge"]}),
        (_("Timeline of events"), {"fields": ["timeline"]}),
        (_("Recordings"), {"fields": ["recording_link", "recordings_table"]}),
        (_("Routing decision"), {"fields": ["routing_story"]}),
        (_("History"), {"fields": ["created_at", "updated_at"]}),
    ]

    def get_urls(self):
        return try_urls(self) + super().get_urls()

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
        started = format_html('<span title="Call id {}">{}</span>', obj.call_id, when)
        if obj.is_test:  # placed with the call emulator: in the log, not in the figures
            return format_html(
                '{} <strong class="test-call">{}</strong>', started, gettext("Test call")
            )
        return started

    @admin.display(description=_("ringing"), ordering="ring_seconds")
    def ring(self, obj):
        return duration_in_words(obj.ring_seconds)

    @admin.display(description=_("talk"), ordering="talk_seconds")
    def talk(self, obj):
        return duration_in_words(obj.talk_seconds)

    @admin.display(description=_("charge"), ordering="amount")
    def charge(self, obj):
        return vnd(obj.amount)

    @admin.display(description=_("status"), ordering="status")
    def outcome(self, obj):
        """The status, with a plain mark on the calls Stringee's call log added or ended."""
        mark = CALL_LOG_MARKS.get(obj.call_log)
        if not mark:
            return obj.get_status_display()
        return format_html(
            '{}<br><small class="call-log-mark">{}</small>', obj.get_status_display(), mark
        )

    @admin.display(description=_("how it ended"))
    def how_it_ended(self, obj):
        return end_in_words(obj.end_cause, obj.ended_by) or "–"

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
                EVENT_WORDS.get(e.status, e.status),
                timezone.localtime(e.received_at),
                format_html(
                    "<code>{}</code>", json.dumps(e.payload, ensure_ascii=False, sort_keys=True)
                ),
            )
            for e in call_events(obj)
        ]
        headers = [gettext("at"), gettext("status"), gettext("received"), gettext("payload")]
        return _table(headers, rows, gettext("No events yet."))

    @admin.display(description=_("recording link"))
    def recording_link(self, obj):
        """Stringee's link as text (no password, no query, not clickable): support reads it."""
        return link_shown(obj.recording_url) if obj.recording_url else "–"

    @admin.display(description=_("recordings"))
    def recordings_table(self, obj):
        rows = [
            (
                player(r),
                link_shown(r.url),
                r.format,
                duration_in_words(r.duration_seconds),
                timezone.localtime(r.received_at),
                copy_state(r),
            )
            for r in obj.recordings.all()
        ]
        headers = [
            gettext("listen"),
            gettext("link"),
            gettext("format"),
            gettext("length"),
            gettext("received"),
            gettext("copy in the portal"),
        ]
        return _table(headers, rows, gettext("No recordings."))

    @admin.display(description=_("decisions"))
    def routing_story(self, obj):
        decisions = call_decisions(obj)
        if not decisions:
            return "No routing decision was logged for this call."
        return _json_block(decisions)


class EventStatusFilter(admin.SimpleListFilter):
    """A call's event statuses as the call's story names them (Stringee's list, docs/events.md)."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return list(EVENT_WORDS.items())

    def queryset(self, request, queryset):
        return queryset.filter(status=self.value()) if self.value() else queryset


class EventKindFilter(admin.SimpleListFilter):
    """Call events, or the room (conference) events sharing the event_url."""

    title = _("type")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [("call", _("Call events")), ("other", _("Room and other events"))]

    def queryset(self, request, queryset):
        if self.value() == "call":
            return queryset.filter(type=CALL_EVENT_TYPE)
        if self.value() == "other":
            return queryset.exclude(type=CALL_EVENT_TYPE)
        return queryset


@admin.register(CallEvent)
class CallEventAdmin(CallLogAdmin):
    list_display = ["call_id", "project", "kind", "what", "occurred_at", "received_at"]
    # Statuses and kinds by name, not the distinct values of every row (tens of millions); no
    # date drill-down either (the distinct years of every row).
    list_filter = [
        ("project", ProjectScopedListFilter),
        EventStatusFilter,
        EventKindFilter,
        "received_at",
        TestCallFilter,
    ]
    search_fields = ["call_id", "payload__request_from_user_id"]
    list_select_related = ["project"]
    readonly_fields = ["payload_json"]
    csv_columns = EVENT_COLUMNS
    exclude = ["payload"]

    def get_readonly_fields(self, request, obj=None):
        return [name for name in super().get_readonly_fields(request, obj) if name != "payload"]

    @admin.display(description=_("type"), ordering="type")
    def kind(self, event: CallEvent) -> str:
        return str(_("Call") if event.type == CALL_EVENT_TYPE else event.type)

    @admin.display(description=_("status"), ordering="status")
    def what(self, event: CallEvent) -> str:
        """The status in the call story's words (Stringee's own name when it has none)."""
        return str(EVENT_WORDS.get(event.status, event.status))

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
class RecordingAdmin(ReadOnlyScopedAdmin):
    """Each tenant's recordings, newest first, each with a player; read-only like the call log."""

    list_display = [
        "received",
        "call_link",
        "number",
        "app_users",
        "seconds",
        "listen",
        "copy",
        "project",
    ]
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
    # Stringee's link is never a clickable link here (nor its password or query): see `link`.
    fields = [
        "project",
        "call",
        "listen",
        "link",
        "duration_seconds",
        "format",
        "received_at",
        "copy",
    ]
    readonly_fields = ["listen", "link", "copy"]

    class Media:
        css = {"all": ["portal/recordings.css"]}
        js = ["portal/recordings.js"]

    def get_urls(self):
        audio = path(
            "<path:object_id>/audio/",
            self.admin_site.admin_view(self.audio_view),
            name="calls_recording_audio",
        )
        return [audio, *super().get_urls()]

    def audio_view(self, request, object_id):
        """The recording's audio through the portal (Range honoured); another tenant's: 404."""
        recording = self.get_object(request, unquote(object_id))
        if recording is None or not self.has_view_permission(request, recording):
            raise Http404
        try:
            return recording_response(
                recording=recording, range_header=request.headers.get("Range")
            )
        except RecordingUnavailable as problem:
            status, headers = problem_status(problem)
            return HttpResponse(
                str(problem),
                status=status,
                headers=headers,
                content_type="text/plain; charset=utf-8",
            )

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

    @admin.display(description=_("length"), ordering="duration_seconds")
    def seconds(self, obj):
        return duration_in_words(obj.duration_seconds)

    @admin.display(description=_("listen"))
    def listen(self, obj):
        return player(obj)

    @admin.display(description=_("link"))
    def link(self, obj):
        return link_shown(obj.url)

    @admin.display(description=_("copy in the portal"), ordering="copy_status")
    def copy(self, obj):
        return copy_state(obj)
