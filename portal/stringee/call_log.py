"""Reading a project's call log from Stringee (GET /v1/call/log, version 2), with its own token.

Stringee pages the log with `search_after[]`: each reply gives, beside its calls, the sort values
of its last call, sent back to get the next page. The reply shape — `data.calls`,
`data.search_after`, `data.totalCalls` — is the one code calling Stringee reads (contract §5;
docs/stringee.md); a reply without a list of calls is "an answer the portal cannot read". The
whole span is read before anything is written (calls.reconcile), so a failure on a later page
leaves the portal as it was.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import unquote

from portal.models import Project
from portal.stringee.client import StringeeClient
from portal.stringee.errors import StringeeError
from portal.stringee.tokens import project_token

PAGE_SIZE = 100  # Stringee's largest `limit`
MAX_PAGES = 10_000  # a million calls: a cursor that never ends is Stringee's fault, not a loop
MAX_AMOUNT = Decimal("1e14")  # fits CallRecord.amount (18 digits, 4 after the point)


@dataclass(frozen=True)
class CallLogRow:
    """One call of the log, as the portal reads it (times in epoch ms; None when Stringee gave
    none or 0)."""

    call_id: str
    project_id: int | None
    from_number: str
    to_number: str
    from_user_id: str
    from_internal: bool
    to_internal: bool
    start_ms: int | None
    answer_ms: int | None
    stop_ms: int | None
    created_s: int | None
    amount: Decimal | None
    recorded: bool
    raw: dict


def project_call_log(project: Project, *, since: datetime, until: datetime) -> list[CallLogRow]:
    """Every call of `project` created from `since` to `until`, read with the project's token;
    StringeeError (nothing read) if any page fails."""
    with StringeeClient(token=lambda: project_token(project)) as client:
        try:
            return [
                row for page in call_log_pages(client, since=since, until=until) for row in page
            ]
        except StringeeError as exc:
            if exc.code == "bad_credentials":
                raise StringeeError("bad_project_key", exc.detail) from None
            raise


def call_log_pages(
    client: StringeeClient, *, since: datetime, until: datetime
) -> Iterator[list[CallLogRow]]:
    """The log's pages, oldest calls first, each read as rows (unreadable rows left out)."""
    cursor: list[str] = []
    for _page in range(MAX_PAGES):
        params: list[tuple[str, str | int]] = [
            ("version", 2),
            ("limit", PAGE_SIZE),
            ("from_created_time", int(since.timestamp())),
            ("to_created_time", int(until.timestamp())),
            ("sort_by", "start_time"),
            ("sort_order", "asc"),
            *(("search_after[]", value) for value in cursor),
        ]
        body = client.request("GET", "/v1/call/log", params=params)
        data = body.get("data")
        calls = data.get("calls") if isinstance(data, dict) else None
        if not isinstance(calls, list):
            raise StringeeError("bad_reply")
        yield [row for row in map(read_row, calls) if row is not None]
        after = data.get("search_after") if isinstance(data, dict) else None
        following = [str(value) for value in after] if isinstance(after, list) else []
        if len(calls) < PAGE_SIZE or not following or following == cursor:
            return
        cursor = following


def read_row(row: Any) -> CallLogRow | None:
    """A call of the log, or None when it has no call id."""
    if not isinstance(row, dict):
        return None
    call_id = str(row.get("id") or row.get("uuid") or "").strip()
    if not call_id or len(call_id) > 128:
        return None
    return CallLogRow(
        call_id=call_id,
        project_id=_integer(row.get("project_id")),
        from_number=_text(row.get("from_number")),
        to_number=_text(row.get("to_number")),
        from_user_id=_text(row.get("from_user_id")),
        from_internal=_flag(row.get("from_internal")),
        to_internal=_flag(row.get("to_internal")),
        start_ms=_moment(row.get("start_time")),
        answer_ms=_moment(row.get("answer_time")),
        stop_ms=_moment(row.get("stop_time")),
        created_s=_integer(row.get("created")),
        amount=amount(row.get("amount")),
        recorded=_flag(row.get("recorded")),
        raw=row,
    )


def amount(value: Any) -> Decimal | None:
    """The charge as an exact decimal: a number's shortest text (what Stringee wrote, for any
    amount of up to 15 significant digits), never float arithmetic."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        charge = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not charge.is_finite() or not 0 <= charge < MAX_AMOUNT:
        return None
    return charge.quantize(Decimal("0.0001"))


def _text(value: Any) -> str:
    """A party as text; Stringee's v2 log may send numbers URL-encoded (`%2B8490…`)."""
    return unquote(str(value)).strip()[:128] if value not in (None, "") else ""


def _integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _moment(value: Any) -> int | None:
    """Epoch ms between 2000 and 2100, else None (0 means "did not happen")."""
    number = _integer(value)
    return number if number and 946_684_800_000 <= number < 4_102_444_800_000 else None


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return bool(value)
