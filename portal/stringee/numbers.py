"""The account's numbers on Stringee (contract §5): read them all, page by page, and say where one
sends its calls (its project, answer_url and event_url). Account token."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from portal.phone import normalize_or_none
from portal.stringee.client import StringeeClient
from portal.stringee.errors import StringeeError

PAGE_SIZE = 100  # Stringee's largest page
MOST_PAGES = 1000  # a reply that never ends is not followed for ever


@dataclass(frozen=True)
class StringeeNumber:
    """One number as Stringee lists it (`number` in E.164)."""

    id: int
    number: str
    voice_enabled: bool | None
    sms_enabled: bool | None
    carrier: str
    monthly_price: Decimal | None
    project_id: int | None
    answer_url: str
    event_url: str


def numbers_list(client: StringeeClient) -> Iterator[StringeeNumber]:
    """Every number of the account (GET /v1/number, all pages; the first page is 1)."""
    page = 1
    while page <= MOST_PAGES:
        body = client.request("GET", "/v1/number", params={"page": page, "limit": PAGE_SIZE})
        data = body.get("data")
        if not isinstance(data, dict) or not isinstance(data.get("numbers", []), list):
            raise StringeeError("bad_reply", "no numbers in the reply")
        rows = data.get("numbers") or []
        for row in rows:
            number = _read_number(row)
            if number is not None:
                yield number
        total_pages = _integer(data.get("totalPages")) or 0
        if not rows or page >= total_pages:
            return
        page += 1


def number_update(
    client: StringeeClient,
    *,
    stringee_id: int,
    project_id: int | None,
    answer_url: str,
    event_url: str,
) -> None:
    """Send a number's calls to `answer_url` / `event_url` (PUT /v1/number/{id}); with a
    `project_id`, move it into that project first."""
    body: dict[str, Any] = {"answer_url": answer_url, "event_url": event_url}
    if project_id is not None:
        body["project_id"] = project_id
    client.request("PUT", f"/v1/number/{stringee_id}", json=body)


def _read_number(row: Any) -> StringeeNumber | None:
    """A row of the list, or None when it has no id or no readable phone number."""
    if not isinstance(row, dict):
        return None
    number_id = _integer(row.get("id"))
    digits = str(row.get("phone_number") or "").strip()
    e164 = normalize_or_none(digits if digits.startswith("+") else f"+{digits}")
    if number_id is None or e164 is None:
        return None
    return StringeeNumber(
        id=number_id,
        number=e164,
        voice_enabled=_flag(row.get("voice_enabled")),
        sms_enabled=_flag(row.get("sms_enabled")),
        carrier=str(row.get("telco_name") or "")[:100],
        monthly_price=_price(row.get("monthly_price")),
        project_id=_integer(row.get("project_id")),
        answer_url=str(row.get("answer_url") or "")[:500],
        event_url=str(row.get("event_url") or "")[:500],
    )


def _integer(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


def _flag(value: Any) -> bool | None:
    """Stringee writes flags as true/false, 1/0 or "1"/"0"."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return bool(value)


def _price(value: Any) -> Decimal | None:
    try:
        price = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return None
    return price if price.is_finite() and 0 <= price < Decimal("1e10") else None
