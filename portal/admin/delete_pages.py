"""What an admin delete page lists (the rows that go, and those that block it), read in a few
queries whatever their number.

Django's page names every collected row by its `__str__`, and several of ours name the rows they
point to ("Sales #2: agent" for a ring-group member, "Hotline [1]" for an IVR key): one query
per row unless those rows are read with it. `deleted_objects` is Django's
`django.contrib.admin.utils.get_deleted_objects` with a collector that does so.
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin.utils import NestedObjects, quote
from django.db import router
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.text import capfirst


class LabelledRows(NestedObjects):
    """Django's collector for delete pages, reading each row with the rows it points to."""

    def related_objects(self, related_model, related_fields, objs):
        rows = super().related_objects(related_model, related_fields, objs)
        forward = [field.name for field in related_model._meta.concrete_fields if field.is_relation]
        return rows.select_related(*forward)


def deleted_objects(objs, request, admin_site):
    """(what goes, as a nested list of links; count per model; permissions missing; what blocks
    it), as Django's `get_deleted_objects` returns them."""
    try:
        first = objs[0]
    except IndexError:
        return [], {}, set(), []
    collector = LabelledRows(using=router.db_for_write(first._meta.model), origin=objs)
    collector.collect(objs)
    perms_needed = set()

    def format_callback(obj):
        opts = obj._meta
        no_edit_link = f"{capfirst(opts.verbose_name)}: {obj}"
        if not admin_site.is_registered(obj.__class__):
            return no_edit_link  # no admin of its own, or edited inline
        if not admin_site.get_model_admin(obj.__class__).has_delete_permission(request, obj):
            perms_needed.add(opts.verbose_name)
        try:
            admin_url = reverse(
                f"{admin_site.name}:{opts.app_label}_{opts.model_name}_change",
                None,
                (quote(obj.pk),),
            )
        except NoReverseMatch:
            return no_edit_link
        return format_html('{}: <a href="{}">{}</a>', capfirst(opts.verbose_name), admin_url, obj)

    to_delete = collector.nested(format_callback)
    protected = [format_callback(obj) for obj in collector.protected]
    collected: dict[Any, set] = collector.model_objs
    model_count = {model._meta.verbose_name_plural: len(rows) for model, rows in collected.items()}
    return to_delete, model_count, perms_needed, protected
