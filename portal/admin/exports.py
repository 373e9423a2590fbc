"""CSV exports in the admin: the export button and action of a list, and the Exports page.

A list that mixes in `ExportsToFile` gets the "Export filtered list as CSV" button and the
"Export selected/filtered as CSV" action; both queue an export (portal.exports) and come back to
the list at once with a link to the Exports page, where staff follow the file being written and
download it. The Exports page is scoped like every tenant page; a download is recorded in the
change history.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _

from portal import exports
from portal.models import Export
from portal.tenancy.admin import ProjectScopedListFilter, ReadOnlyScopedAdmin


class ExportsToFile(admin.ModelAdmin):
    """Mixed into a list's admin: its rows go to a CSV file written by the worker.

    The admin says what the file holds: `export_header()` (the column names staff read) and
    `export_cells(queryset)` (each row's cells by primary key, for one batch of rows); and may
    narrow the rows with `export_queryset(queryset, request)`.
    """

    change_list_template = "admin/portal/change_list_export.html"
    actions = ["export_csv"]

    def export_header(self) -> list[str]:
        raise NotImplementedError

    def export_cells(self, queryset: QuerySet) -> Mapping[Any, Sequence[Any]]:
        raise NotImplementedError

    def export_queryset(self, queryset: QuerySet, request) -> QuerySet:
        """The rows an export of the list holds: those the page shows (a list may leave some
        out unless its filters ask for them)."""
        return queryset

    @admin.action(description=_("Export selected/filtered as CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        across = request.POST.get("select_across") == "1"
        selected = None if across else request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        return self._ask_for_export(request, selected)

    def get_urls(self):
        opts = self.opts
        view = self.admin_site.admin_view(self.export_filtered_view)
        name = f"{opts.app_label}_{opts.model_name}_export"
        return [path("export/", view, name=name), *super().get_urls()]

    def export_filtered_view(self, request):
        """The whole list as the page shows it (same filters, search and scope), asked for with
        the button (a POST; a plain visit goes back to the list)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseRedirect(self._list_url(request))
        return self._ask_for_export(request, None)

    def _ask_for_export(self, request, selected: list[str] | None) -> HttpResponseRedirect:
        made = exports.export_request(
            source=self.opts.label_lower,
            params=exports.clean_params(request.GET),
            selected=selected,
            user=request.user,
            language=get_language() or settings.LANGUAGE_CODE,
        )
        if len(made) == 1:
            text = gettext("Your export is being prepared.")
        else:  # staff of several projects: one file each
            text = gettext("Your %(count)d exports are being prepared, one file per project.") % {
                "count": len(made)
            }
        link = reverse("admin:portal_export_changelist")
        self.message_user(
            request,
            format_html('{} <a href="{}">{}</a>', text, link, gettext("See your exports")),
            messages.SUCCESS,
        )
        return HttpResponseRedirect(self._list_url(request))

    def _list_url(self, request) -> str:
        opts = self.opts
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        query = request.GET.urlencode()
        return f"{url}?{query}" if query else url


class ExportProjectFilter(ProjectScopedListFilter):
    """The projects of the caller's exports; superusers also find their exports of every tenant
    (no project), which nobody else can see."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        self.every_tenant = request.user.is_superuser
        super().__init__(field, request, params, model, model_admin, field_path)
        self.empty_value_display = format_html("{}", gettext("Every tenant"))

    @property
    def include_empty_choice(self) -> bool:
        return self.every_tenant


COLUMNS = ("asked", "what", "state", "rows", "file_size", "asked_by", "download", "project")


@admin.register(Export)
class ExportAdmin(ReadOnlyScopedAdmin):
    """ "Exports": each file asked for, how far it got, and a link to download it when ready."""

    change_list_template = "admin/portal/export/change_list.html"
    list_display = COLUMNS
    list_display_links = None
    list_filter = ["status", "source", ("project", ExportProjectFilter)]
    list_select_related = ["created_by", "project"]
    actions = ["prepare_again"]
    readonly_fields = fields = COLUMNS

    def changelist_view(self, request, extra_context=None):
        """While a file of the list is being written, the page refreshes itself."""
        busy = [Export.Status.WAITING, Export.Status.RUNNING]
        context = {
            "title": capfirst(self.opts.verbose_name_plural),
            "refresh": self.get_queryset(request).filter(status__in=busy).exists(),
            "retention_days": settings.EXPORT_RETENTION_DAYS,
            **(extra_context or {}),
        }
        return super().changelist_view(request, context)

    @admin.display(description=_("asked for at"), ordering="created_at")
    def asked(self, export: Export) -> str:
        return date_format(timezone.localtime(export.created_at), "SHORT_DATETIME_FORMAT")

    @admin.display(description=_("what"))
    def what(self, export: Export):
        """The list, and which of its rows: a link that opens the list with the same filters."""
        rows = exports.describe_rows(export) or gettext("Whole list")
        if export.selected is not None:
            return format_html("<strong>{}</strong><br>{}", export.get_source_display(), rows)
        app_label, _dot, model_name = export.source.partition(".")
        try:
            url = reverse(f"admin:{app_label}_{model_name}_changelist")
        except NoReverseMatch:
            return format_html("<strong>{}</strong><br>{}", export.get_source_display(), rows)
        query = urlencode(export.params or {}, doseq=True)
        return format_html(
            '<strong>{}</strong><br><a href="{}" title="{}">{}</a>',
            export.get_source_display(),
            f"{url}?{query}" if query else url,
            gettext("Open the list with these filters"),
            rows,
        )

    @admin.display(description=_("status"), ordering="status")
    def state(self, export: Export) -> str:
        label = export.get_status_display()
        if export.status == Export.Status.RUNNING and export.row_count:
            return gettext("%(status)s: %(done)s of %(total)s rows") % {
                "status": label,
                "done": number_format(export.rows_written, force_grouping=True),
                "total": number_format(export.row_count, force_grouping=True),
            }
        if export.status == Export.Status.FAILED:
            return f"{label}: {exports.problem_text(export)}"
        return str(label)

    @admin.display(description=_("rows"), ordering="row_count")
    def rows(self, export: Export) -> str:
        if export.row_count is None:
            return "–"
        return number_format(export.row_count, force_grouping=True)

    @admin.display(description=_("size"), ordering="size")
    def file_size(self, export: Export) -> str:
        return filesizeformat(export.size) if export.size is not None else "–"

    @admin.display(description=_("asked for by"), ordering="created_by__username")
    def asked_by(self, export: Export) -> str:
        return export.created_by.get_username() if export.created_by else "–"

    @admin.display(description=_("file"))
    def download(self, export: Export):
        if export.status != Export.Status.READY:
            return "–"
        url = reverse("admin:portal_export_download", args=[export.pk])
        return format_html('<a href="{}" class="export-download">{}</a>', url, gettext("Download"))

    def get_urls(self):
        download = self.admin_site.admin_view(self.download_view)
        return [
            path("<int:export_id>/download/", download, name="portal_export_download"),
            *super().get_urls(),
        ]

    def download_view(self, request, export_id: int):
        """The file of a ready export the caller may see; 404 for anything else (another
        tenant's export looks like one that does not exist)."""
        export = self.get_queryset(request).filter(pk=export_id, status=Export.Status.READY).first()
        if export is None or not self.has_view_permission(request, export):
            raise Http404(gettext("No export of yours with that number is ready."))
        try:
            file = exports.export_file(export)
        except FileNotFoundError as exc:
            raise Http404(gettext("The file of this export has been removed.")) from exc
        exports.export_downloaded(export=export)
        return FileResponse(
            file,
            as_attachment=True,
            filename=export.download_name,
            content_type="text/csv; charset=utf-8",
        )

    @admin.action(description=_("Prepare the selected failed exports again"), permissions=["view"])
    def prepare_again(self, request, queryset):
        queued = sum(exports.export_retry(export=export) for export in queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d export is being prepared again.",
                "%(count)d exports are being prepared again.",
                queued,
            )
            % {"count": queued},
            messages.SUCCESS if queued else messages.WARNING,
        )
