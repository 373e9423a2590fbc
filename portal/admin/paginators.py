"""Changelist paging for big tables (numbers, call events, call records) that never counts slowly.

An exact COUNT(*) of millions of rows takes seconds on PostgreSQL. An unfiltered list of a
big table uses the planner's row estimate (`pg_class.reltuples`, kept fresh by autovacuum);
any other list counts at most COUNT_LIMIT rows, so its pages stop there (filter to see more).
"""

from __future__ import annotations

from typing import ClassVar

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

ESTIMATE_ABOVE = 100_000  # below this an exact count is cheap enough
COUNT_LIMIT = 100_000


def estimated_rows(model, using: str) -> int | None:
    """PostgreSQL's estimate of the rows of `model`'s table, or None if it has none."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)",
            [model._meta.db_table],
        )
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] is not None and row[0] >= 0 else None


class EstimatedCountPaginator(Paginator):
    """A paginator whose `count` is an estimate for whole big tables and capped otherwise."""

    @cached_property
    def count(self) -> int:
        queryset: QuerySet = self.object_list  # type: ignore[assignment]
        if not queryset.query.where:
            estimate = estimated_rows(queryset.model, queryset.db)
            if estimate is not None and estimate > ESTIMATE_ABOVE:
                return estimate
        return queryset.order_by()[:COUNT_LIMIT].count()


class BigTableAdmin:
    """Admin lists of big tables: estimated or capped counts, no second "of N in all" count."""

    paginator: ClassVar[type] = EstimatedCountPaginator
    show_full_result_count = False
