"""Menus and ring groups that no rule, IVR key or final step sends calls to: said in their list
and when one is saved (routing.warnings)."""

from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from routing.warnings import used


class WarnsWhenUnused:
    """For a menu's or a group's admin: `destination` is the DestinationKind that points at it."""

    destination: str

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)  # type: ignore[misc]
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None:
            rows = list(changelist.result_list)
            busy = used(self.destination, {row.project_id for row in rows})
            for row in rows:
                row.is_unused = row.pk not in busy
        return response

    def response_add(self, request, obj, post_url_continue=None):
        self._warn_if_unused(request, obj)
        return super().response_add(request, obj, post_url_continue)  # type: ignore[misc]

    def response_change(self, request, obj):
        self._warn_if_unused(request, obj)
        return super().response_change(request, obj)  # type: ignore[misc]

    def _warn_if_unused(self, request, obj) -> None:
        if obj.pk not in used(self.destination, [obj.project_id]):
            self.message_user(request, unused_text(), messages.WARNING)  # type: ignore[attr-defined]

    @admin.display(description=_("used?"))
    def used(self, obj):
        if getattr(obj, "is_unused", False):
            return format_html('<span class="never-reached">{}</span>', unused_text())
        return "✓"


def unused_text() -> str:
    return gettext(
        "No rule, IVR key or final step sends calls here yet: choose it as the destination of a "
        "rule (or of a key of another menu) for callers to reach it."
    )
