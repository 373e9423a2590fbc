"""The change history in the admin: who changed which setting, when and from where.

Read-only for every staff member and scoped like every tenant page: a tenant's staff read their
own projects' entries (list, filters and CSV exports alike); superusers read all.
"""

from __future__ import annotations

from collections.abc import Callable

from django.apps import apps
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.admin.exports import ExportsToFile
from portal.audit import WATCHED, changed_fields, event_of, name_related_rows
from portal.dialling import country_name, kind_names
from portal.models import AuditEntry
from portal.phone import phone_display
from portal.tenancy.admin import ProjectScopedListFilter, ReadOnlyScopedAdmin

FIELDS_IN_LIST = 5


# --- change history ----------------------------------------------------------------------------


class ObjectTypeFilter(admin.SimpleListFilter):
    """The kinds of configuration the audit log watches, by their plain names."""

    title = _("what was changed")
    parameter_name = "type"

    def lookups(self, request, model_admin):
        # ContentType's own cache: no query once the process knows them.
        types = ContentType.objects.get_for_models(*(apps.get_model(label) for label in WATCHED))
        choices = [
            (str(content_type.pk), capfirst(str(model._meta.verbose_name)))
            for model, content_type in types.items()
        ]
        return sorted(choices, key=lambda choice: choice[1])

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if not value.isdigit():
            return queryset.none()
        return queryset.filter(content_type_id=int(value))


class PersonFilter(admin.RelatedOnlyFieldListFilter):
    """Staff members who appear in the caller's own entries only."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = gettext("person")


class KeyFilter(admin.RelatedOnlyFieldListFilter):
    """API keys that appear in the caller's own entries only."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = gettext("API key")


class DateFilter(admin.DateFieldListFilter):
    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = gettext("date")


ACTION_NAMES = {
    AuditEntry.Action.CREATE: _("Added"),
    AuditEntry.Action.UPDATE: _("Changed"),
    AuditEntry.Action.DELETE: _("Deleted"),
    AuditEntry.Action.ACCESS: _("Downloaded"),
}


EVENT_NAMES = {
    "refused_destination": _("Refused a destination"),
    "second_factor_added": _("Second factor added"),
    "second_factor_removed": _("Second factor removed"),
    "signed_out_everywhere": _("Signed out everywhere"),
}


EVENT_FIELDS = {
    "number": _("number"),
    "country": _("country"),
    "kind": _("kind of number"),
    "sessions": _("sessions ended"),
    "person": _("person"),
    "by": _("by"),
}


def event_details(entry: AuditEntry) -> list[tuple[str, str]]:
    """An event's details, labelled and written for staff (a country's name, a kind's words)."""
    readable: dict[str, Callable[[str], str]] = {
        "number": phone_display,
        "country": country_name,
        "kind": lambda kind: kind_names([kind]),
    }
    lines = []
    for name, values in (entry.changes_dict or {}).items():
        value = str(values[-1]) if values else ""
        shown = readable[name](value) if name in readable else value
        lines.append((capfirst(str(EVENT_FIELDS.get(name, name))), shown))
    return lines


def change_name(entry: AuditEntry) -> str:
    """What happened, in words: the change's kind, or the event the entry records."""
    event = event_of(entry)
    if event is not None:
        return str(EVENT_NAMES[event])
    return str(ACTION_NAMES.get(entry.action, entry.action))


def who(entry: AuditEntry) -> str:
    """The staff member, else the program or command, that made the change."""
    if entry.actor is not None:
        return entry.actor.get_username()
    return entry.caller or gettext("Unknown (made outside the portal)")


def object_type(entry: AuditEntry) -> str:
    model = entry.content_type.model_class()
    return capfirst(str(model._meta.verbose_name)) if model else entry.content_type.model


def changes_as_text(entry: AuditEntry) -> str:
    """One line per field: “Label: before → after” (an event's details: “Label: value”)."""
    if event_of(entry) is not None:
        return "; ".join(f"{label}: {value}" for label, value in event_details(entry))
    return "; ".join(
        f"{label}: {before} → {after}" for label, before, after in changed_fields(entry)
    )


CSV_HEADER = [
    _("Time"),
    _("Project"),
    _("What"),
    _("Object"),
    _("Change"),
    _("Who"),
    _("From address"),
    _("Fields"),
]


# django-auditlog's own admin shows every entry of every tenant, raw: replaced by the page below.
if admin.site.is_registered(AuditEntry):
    admin.site.unregister(AuditEntry)


@admin.register(AuditEntry)
class AuditEntryAdmin(ExportsToFile, ReadOnlyScopedAdmin):
    """ "Change history": who changed which setting, when and from where; nobody may edit it.

    Exportable as CSV like the call log (portal.admin.exports)."""

    list_display = [
        "when",
        "what",
        "change",
        "fields_changed",
        "who",
        "remote_addr",
        "project",
    ]
    list_display_links = ["when"]
    list_filter = [
        ObjectTypeFilter,
        ("actor", PersonFilter),
        ("api_key", KeyFilter),
        ("timestamp", DateFilter),
        ("project", ProjectScopedListFilter),
    ]
    search_fields = ["object_repr", "caller"]
    list_select_related = ["content_type", "actor", "project"]
    # No date drill-down: it reads the distinct years of every entry; the dates filter (today,
    # past 7 days, this month, this year) and the person and key filters cost no such scan.
    readonly_fields = ("when", "project", "what", "change", "who", "remote_addr", "fields_table")
    fields = readonly_fields

    def changelist_view(self, request, extra_context=None):
        """The page's entries name the rows their changes point to with one query per kind of
        row (before the page is drawn)."""
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None:
            name_related_rows(changelist.result_list)
        return response

    @admin.display(description=_("when"), ordering="timestamp")
    def when(self, entry: AuditEntry) -> str:
        return timezone.localtime(entry.timestamp).strftime("%Y-%m-%d %H:%M:%S")

    @admin.display(description=_("what"))
    def what(self, entry: AuditEntry) -> str:
        return f"{object_type(entry)}: {entry.object_repr}"

    @admin.display(description=_("change"), ordering="action")
    def change(self, entry: AuditEntry) -> str:
        return change_name(entry)

    @admin.display(description=_("who"))
    def who(self, entry: AuditEntry) -> str:
        return who(entry)

    @admin.display(description=_("fields"))
    def fields_changed(self, entry: AuditEntry):
        """A new row's values, a deleted row's last values, or a change's before → after; the
        first few only (the entry's page has them all)."""
        if event_of(entry) is not None:
            return format_html_join("", "<div><strong>{}</strong>: {}</div>", event_details(entry))
        rows = changed_fields(entry)
        if entry.action == AuditEntry.Action.CREATE:
            lines = [(label, after) for label, _before, after in rows]
        elif entry.action == AuditEntry.Action.DELETE:
            lines = [(label, before) for label, before, _after in rows]
        else:
            lines = [(label, f"{before} → {after}") for label, before, after in rows]
        shown = format_html_join("", "<div><strong>{}</strong>: {}</div>", lines[:FIELDS_IN_LIST])
        hidden = len(lines) - FIELDS_IN_LIST
        if hidden > 0:
            more = gettext("and %(count)d more") % {"count": hidden}
            return format_html("{}<div>… {}</div>", shown, more)
        return shown

    @admin.display(description=_("fields"))
    def fields_table(self, entry: AuditEntry):
        rows = changed_fields(entry)
        if not rows:
            return gettext("No field values recorded.")
        body = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", rows)
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            gettext("Field"),
            gettext("Before"),
            gettext("After"),
            body,
        )

    def export_header(self) -> list[str]:
        return [str(name) for name in CSV_HEADER]

    def export_cells(self, queryset: QuerySet) -> dict[int, list[str]]:
        """Each entry's cells by primary key, in the words of the page."""
        entries = list(queryset.select_related(*self.list_select_related))
        name_related_rows(entries)  # one query per kind of row the changes point to
        return {
            entry.pk: [
                timezone.localtime(entry.timestamp).isoformat(),
                str(entry.project) if entry.project_id and entry.project else "",
                object_type(entry),
                entry.object_repr,
                change_name(entry),
                who(entry),
                entry.remote_addr or "",
                changes_as_text(entry),
            ]
            for entry in entries
        }


# --- API keys ----------------------------------------------------------------------------------
