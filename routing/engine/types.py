"""The engine's types: a call as Stringee describes it (`Call`), a project's compiled routing
table (`Table`), what a destination builder is given (`Context`), and what the engine asks of
the webhooks (`Links`, the portal's callback URLs) and of live state (`CallState`)."""

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any, Protocol
from urllib.parse import urlencode

from portal.dialling import ANYWHERE, DialPolicy
from portal.phone import normalize_or_none, stringee_digits

Action = dict[str, Any]


@dataclass(frozen=True)
class Call:
    """One answer_url request, as Stringee sent it (numbers still in Stringee's form)."""

    from_raw: str
    to_raw: str
    from_internal: bool
    at: datetime
    user_id: str = ""
    project_id: str = ""
    custom: str = ""
    call_id: str = ""

    def query(self, **extra) -> str:
        """The call as a query string (`extra` first): what the portal's callbacks carry back."""
        params = {
            **extra,
            "from": self.from_raw,
            "to": self.to_raw,
            "fromInternal": "true" if self.from_internal else "false",
        }
        if self.call_id:
            params["callId"] = self.call_id
        return urlencode(params)

    @cached_property
    def from_number(self) -> str | None:
        return normalize_or_none(self.from_raw)

    @cached_property
    def to_number(self) -> str | None:
        return normalize_or_none(self.to_raw)

    @property
    def from_wire(self) -> str:
        """The caller as an SCCO carries it: digits for a phone number, else the user id."""
        return stringee_digits(self.from_number) if self.from_number else self.from_raw

    @property
    def to_wire(self) -> str:
        return stringee_digits(self.to_number) if self.to_number else self.to_raw


class Links(Protocol):
    """Absolute webhook URLs that SCCOs point back to (made by the views, faked in tests)."""

    def ivr(self, menu_id: int, call: Call, attempt: int) -> str: ...

    def on_fail(self, rule_id: int, call: Call) -> str: ...

    def recording(self, call: Call) -> str: ...

    def ring(self, group_id: int, call: Call, tried: int, start: int) -> str: ...


class CallState(Protocol):
    """What routing reads or moves outside the table: masking sessions, round-robin pointers.

    The answer_url uses routing.state.LiveState; "simulate" uses a read-only one.
    """

    def masking_binding(self, proxy_id: int, kind: str, address: str) -> dict | None: ...

    def round_robin_start(self, group_id: int, size: int) -> int: ...

    def external_call_allowed(self, project_id: int, ceiling: int | None) -> bool:
        """Whether one more call may go to a phone number this hour (counting it if so)."""
        ...


class NoState:
    """No sessions and pointers at 0: for pure tests and sample SCCOs in model validation."""

    def masking_binding(self, proxy_id: int, kind: str, address: str) -> dict | None:
        return None

    def round_robin_start(self, group_id: int, size: int) -> int:
        return 0

    def external_call_allowed(self, project_id: int, ceiling: int | None) -> bool:
        return True


@dataclass(frozen=True)
class Table:
    """A project's compiled routing data (see routing.snapshot), looked up by dicts."""

    project_id: int
    time_zone: str
    fallback_message: str
    numbers: frozenset[str]  # the project's assigned numbers, E.164
    users: frozenset[str]  # active app users' ids
    rules: tuple[dict, ...]  # enabled rules in priority order
    by_number: dict[str, list[int]]  # called E.164 → indexes into rules
    by_user: dict[str, list[int]]  # called user id → indexes into rules
    general: tuple[int, ...]  # rules not tied to one number or user
    menus: dict[str, dict] = field(default_factory=dict)
    groups: dict[str, dict] = field(default_factory=dict)  # ring groups by id
    masking_pool: dict[str, int] = field(default_factory=dict)  # proxy E.164 → VirtualNumber id
    calendar: dict = field(
        default_factory=dict
    )  # {"hours": {weekday: [[opens, closes]]}, "holidays": [...]}
    # called E.164 → {"text", "audio"}: what callers of that number hear when no rule applies
    number_fallbacks: dict[str, dict] = field(default_factory=dict)
    voice: str | None = None  # the project's caller voice; None: Stringee's default
    prompts: dict[str, str] = field(default_factory=dict)  # system messages, caller language
    # Where the project's calls may go (portal.dialling), and how many may go to phone numbers
    # an hour (None: no ceiling). A table made for a sample call (model validation) allows all.
    dial: DialPolicy = ANYWHERE
    external_calls_per_hour: int | None = None

    @property
    def rows(self) -> int:
        """How much the table holds, in routing rows (numbers, app users, rules, menus, ring
        groups, masking numbers, per-number messages): what a worker's copy of it weighs
        (portal.webhooks.local_copies)."""
        return (
            len(self.numbers)
            + len(self.users)
            + len(self.rules)
            + len(self.menus)
            + len(self.groups)
            + len(self.masking_pool)
            + len(self.number_fallbacks)
        )

    def prompt(self, key: str, english: str) -> str:
        """The system message `key` in the project's caller language (`english` if unknown)."""
        return self.prompts.get(key, english)

    @classmethod
    def from_json(cls, data: dict) -> "Table":
        return cls(
            project_id=data["project_id"],
            time_zone=data["time_zone"],
            fallback_message=data["fallback_message"],
            numbers=frozenset(data["numbers"]),
            users=frozenset(data["users"]),
            rules=tuple(data["rules"]),
            by_number=data["by_number"],
            by_user=data["by_user"],
            general=tuple(data["general"]),
            menus=data["menus"],
            groups=data.get("groups", {}),
            masking_pool=data.get("masking_pool", {}),
            calendar=data.get("calendar", {}),
            number_fallbacks=data.get("number_fallbacks", {}),
            voice=data.get("voice"),
            prompts=data.get("prompts", {}),
            dial=DialPolicy.from_json(data["dial"]),  # no table without its policy
            external_calls_per_hour=data.get("external_calls_per_hour"),
        )


@dataclass(frozen=True)
class Context:
    call: Call
    table: Table
    links: Links
    options: dict = field(default_factory=dict)  # the rule's connect options (none in IVR)
    state: CallState = field(default_factory=NoState)
