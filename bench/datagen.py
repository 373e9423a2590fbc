"""Bulk bench data: projects, numbers, app users and routing rules, grown to a named size.

Sizes are cumulative: `grow_to(LARGE)` after `grow_to(SMALL)` keeps the small tenant and adds
the rest, so the same database serves both measurements. PostgreSQL gets `COPY`; other
databases get batched INSERTs. The rows bypass model signals on purpose (bulk loads), so the
caller clears the cache afterwards.
"""

import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import connection, models, transaction
from django.utils import timezone

from bench import rules
from bench.progress import progress
from portal.models import AppUser, Project, VirtualNumber

FIRST_PROJECT_ID = 7_000_000  # Stringee projectIds of bench tenants start here
_BATCH = 5_000


@dataclass(frozen=True)
class Size:
    """How many rows of each kind the database holds at this size."""

    name: str
    projects: int
    numbers: int
    rules: int
    app_users: int


SMALL = Size("small", projects=1, numbers=10, rules=10, app_users=5)
LARGE = Size("large", projects=10_000, numbers=1_000_000, rules=100_000, app_users=50_000)
SIZES = {size.name: size for size in (SMALL, LARGE)}


def number_at(index: int) -> str:
    """The `index`-th bench number in E.164: +8490 followed by seven digits (valid VN mobiles)."""
    return f"+8490{index:07d}"


def shares(total: int, parts: int) -> list[int]:
    """Split `total` rows over `parts` owners as evenly as possible (first ones get the
    remainder)."""
    if parts <= 0:
        return []
    base, extra = divmod(max(total, 0), parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def copy_rows(
    model: type[models.Model], fields: list[str], rows: Iterable[tuple], total: int
) -> int:
    """Insert `rows` (values for `fields`, in order) into `model`'s table; return how many."""
    table = model._meta.db_table
    columns = [model._meta.get_field(name).column for name in fields]
    rows = progress(rows, total, model._meta.verbose_name_plural)
    count = 0
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
            with cursor.cursor.copy(
                f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        else:
            quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
            sql = f"INSERT INTO {table} ({quoted}) VALUES ({', '.join(['%s'] * len(columns))})"
            for batch in _batches(rows, _BATCH):
                cursor.executemany(sql, batch)
                count += len(batch)
    return count


def _batches(rows: Iterable[tuple], size: int) -> Iterator[list[tuple]]:
    batch: list[tuple] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _now():
    return connection.ops.adapt_datetimefield_value(timezone.now())


def _project_rows(first: int, count: int) -> Iterator[tuple]:
    now = _now()
    for index in range(first, first + count):
        yield (
            FIRST_PROJECT_ID + index,
            f"Bench tenant {index}",
            f"SK.bench.{index}",
            f"bench-secret-{index}-0123456789abcdef",
            secrets.token_urlsafe(24),
            "",
            "Asia/Ho_Chi_Minh",
            "The number you called is not available",
            180,
            True,
            now,
            now,
        )


_PROJECT_FIELDS = [
    "stringee_project_id",
    "name",
    "api_key_sid",
    "api_key_secret",
    "webhook_token",
    "previous_webhook_token",
    "time_zone",
    "fallback_message",
    "retention_days",
    "is_active",
    "created_at",
    "updated_at",
]


def _number_rows(first_index: int, owners: list[tuple[int, int]]) -> Iterator[tuple]:
    now = _now()
    index = first_index
    for project_pk, count in owners:
        for _ in range(count):
            yield (number_at(index), project_pk, VirtualNumber.Status.ASSIGNED.value, "", now)
            index += 1


def _app_user_rows(owners: list[tuple[int, int]]) -> Iterator[tuple]:
    now = _now()
    for project_pk, count in owners:
        for i in range(1, count + 1):
            yield (project_pk, f"user_{i}", f"Bench user {i}", "", True, now)


def bench_project_pks() -> list[int]:
    """Primary keys of the bench tenants, in generation order."""
    return list(
        Project.objects.filter(stringee_project_id__gte=FIRST_PROJECT_ID)
        .order_by("stringee_project_id")
        .values_list("pk", flat=True)
    )


def grow_to(size: Size, *, compile_routing: bool = True) -> dict[str, int]:
    """Add rows until the database holds `size`; return what each kind now counts.

    `compile_routing=False` leaves the new tenants' routing tables unbuilt (lists and pages of
    the admin do not need them; building 10,000 takes minutes)."""
    existing = bench_project_pks()
    new_projects = max(size.projects - len(existing), 0)
    copy_rows(Project, _PROJECT_FIELDS, _project_rows(len(existing), new_projects), new_projects)
    new_pks = bench_project_pks()[len(existing) :]

    numbers_before = VirtualNumber.objects.count()
    new_numbers = size.numbers - numbers_before
    owners = list(zip(new_pks, shares(new_numbers, len(new_pks)), strict=True))
    copy_rows(
        VirtualNumber,
        ["number", "project", "status", "label", "assigned_at"],
        _number_rows(numbers_before, owners),
        max(new_numbers, 0),
    )

    new_users = size.app_users - AppUser.objects.count()
    owners = list(zip(new_pks, shares(new_users, len(new_pks)), strict=True))
    copy_rows(
        AppUser,
        ["project", "user_id", "display_name", "phone_number", "is_active", "created_at"],
        _app_user_rows(owners),
        max(new_users, 0),
    )

    new_rules = size.rules - rules.count_rules()
    rules.add_rules(list(zip(new_pks, shares(new_rules, len(new_pks)), strict=True)), copy_rows)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    if compile_routing:
        rules.compile_routing(new_pks)
    return counts()


def counts() -> dict[str, int]:
    """Rows of each kind the bench data consists of."""
    return {
        "projects": Project.objects.count(),
        "numbers": VirtualNumber.objects.count(),
        "app_users": AppUser.objects.count(),
        "rules": rules.count_rules(),
    }
