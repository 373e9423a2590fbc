"""Where calls go, as a Mermaid flowchart drawn from the compiled routing table (pure: table →
text).

The picture is made from the same `Table` the answer_url routes with (routing.cache), so it
cannot disagree with routing: rules in priority order with their conditions, each rule's
destination, IVR menus with their keys, ring groups with their members and final step, masking
numbers and the fallback. For one number it keeps only the rules a call to that number can
reach, as the engine would pick them. No Django, no database: `link(kind, id)` gives the URL of
a rule, menu or group page (or None), so the diagram's nodes open their admin pages.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.phone import stringee_digits
from routing.engine.decide import pattern_matches
from routing.engine.types import Table
from routing.kinds import DestinationKind
from routing.weekdays import days_label

Link = Callable[[str, int], str | None]
DIRECTION_WORDS = {"app": gettext_lazy("from an app user"), "phone": gettext_lazy("from a phone")}
HOURS_WORDS = {
    "open": gettext_lazy("only while open"),
    "closed": gettext_lazy("only while closed (after hours, holidays)"),
}
MAX_TEXT = 60
CLASSES = {
    "start": "fill:#417690,color:#fff,stroke:#264b5d",
    "rule": "fill:#eef5f9,stroke:#417690,color:#1c2b33",
    "dest": "fill:#f2f8ee,stroke:#4e8a4e,color:#1f331f",
    "menu": "fill:#fff6e5,stroke:#d09a3a,color:#3d2c0c",
    "group": "fill:#f3eefa,stroke:#8a6fb0,color:#2c2138",
    "fallback": "fill:#fbecea,stroke:#c4574a,color:#3d1612",
}


def text(value: object, limit: int = MAX_TEXT) -> str:
    """`value` made safe inside a quoted Mermaid label (entity codes, no line breaks, shortened)."""
    raw = " ".join(str(value).split())
    if len(raw) > limit:
        raw = raw[: limit - 1] + "…"
    for char, code in (("#", "#35;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;"), ("`", "#96;")):
        raw = raw.replace(char, code)
    return raw


def _pattern(pattern: str) -> str:
    if pattern.startswith("^"):
        return _("matching %(pattern)s") % {"pattern": pattern}
    return _("starting %(digits)s") % {"digits": pattern.lstrip("+")}


def conditions(rule: dict) -> list[str]:
    """The rule's conditions in words (empty: every call)."""
    words = []
    if rule["direction"] in DIRECTION_WORDS:
        words.append(str(DIRECTION_WORDS[rule["direction"]]))
    called = rule["called"]
    kind = called["kind"]
    if kind == "number":
        words.append(_("to %(number)s") % {"number": called["number"]})
    elif kind == "user":
        words.append(_("to app user %(user)s") % {"user": called["user"]})
    elif kind == "any_user":
        words.append(_("to any app user"))
    elif kind == "pattern":
        words.append(_("to numbers %(pattern)s") % {"pattern": _pattern(called["pattern"])})
    if rule.get("caller_pattern"):
        words.append(_("caller %(pattern)s") % {"pattern": _pattern(rule["caller_pattern"])})
    days = days_label(rule.get("days") or [])
    when = " ".join(part for part in (days, _window(rule.get("start"), rule.get("end"))) if part)
    if when:
        words.append(when)
    if rule.get("hours") in HOURS_WORDS:
        words.append(str(HOURS_WORDS[rule["hours"]]))
    return words


def _window(start: str | None, end: str | None) -> str:
    return f"{start[:5]}–{end[:5]}" if start and end else ""


def destination_words(destination: dict, table: Table) -> str:
    """Where a destination sends the call, in words (menus and groups by name)."""
    kind = destination["kind"]
    if kind == DestinationKind.USER:
        return (
            _("Ring app user %(user)s") % {"user": destination["user"]}
            if destination.get("user")
            else _("Ring the app user called")
        )
    if kind == DestinationKind.PHONE:
        return (
            _("Forward to %(number)s") % {"number": destination["number"]}
            if destination.get("number")
            else _("Call the number dialled")
        )
    if kind == DestinationKind.SIP:
        return _("Dial %(sip)s on SIP trunk %(trunk)s") % {
            "sip": destination.get("sip", ""),
            "trunk": destination.get("trunk", ""),
        }
    if kind == DestinationKind.MESSAGE:
        if destination.get("audio"):
            return _("Play a recorded message, hang up")
        return _("Say “%(text)s”, hang up") % {
            "text": destination.get("text") or table.fallback_message
        }
    if kind == DestinationKind.VOICEMAIL:
        return _("Take a voicemail")
    if kind == DestinationKind.MENU:
        menu = table.menus.get(str(destination.get("menu")))
        if menu is None:
            return _("A menu that no longer exists")
        return _("IVR menu %(name)s") % {"name": menu["name"]}
    if kind == DestinationKind.GROUP:
        group = table.groups.get(str(destination.get("group")))
        if group is None:
            return _("A ring group that no longer exists")
        return _("Ring group %(name)s") % {"name": group["name"]}
    return kind


def can_serve_number(destination: dict) -> bool:
    """Whether a destination can take a call to one of the project's own numbers (engine rules)."""
    kind = destination["kind"]
    if kind == DestinationKind.USER:
        return bool(destination.get("user"))  # "the app user called" is no user for a number
    if kind == DestinationKind.PHONE:
        return bool(destination.get("number"))  # "the number dialled" is our own number
    if kind == DestinationKind.SIP:
        return bool(destination.get("sip") and destination.get("trunk"))
    return True


def rules_for_number(table: Table, number: str) -> list[dict]:
    """The rules a call to `number` (E.164) may reach, in priority order."""
    digits = stringee_digits(number)
    found = []
    for rule in table.rules:
        called = rule["called"]
        if called["kind"] == "number" and called["number"] != number:
            continue
        if called["kind"] in ("user", "any_user"):
            continue
        if called["kind"] == "pattern" and not pattern_matches(called["pattern"], digits):
            continue
        if can_serve_number(rule["destination"]):
            found.append(rule)
    return found


class _Chart:
    """Accumulates nodes, edges, links and classes; each menu and group is drawn once."""

    def __init__(self, table: Table, link: Link | None) -> None:
        self.table = table
        self.link = link
        self.lines: list[str] = ["flowchart TD"]
        self.clicks: list[str] = []
        self.classes: dict[str, list[str]] = {name: [] for name in CLASSES}
        self.drawn: set[str] = set()
        self.edges_after: list[
            tuple[str, str, str]
        ] = []  # to menus and groups, after the main chain

    def node(self, node_id: str, label: str, shape: str, css: str) -> None:
        opening, closing = {
            "round": ("(", ")"),
            "box": ("[", "]"),
            "sub": ("[[", "]]"),
            "stadium": ("([", "])"),
        }[shape]
        self.lines.append(f'    {node_id}{opening}"{label}"{closing}')
        self.classes[css].append(node_id)

    def edge(self, source: str, target: str, label: str = "") -> None:
        arrow = f'-->|"{label}"|' if label else "-->"
        self.lines.append(f"    {source} {arrow} {target}")

    def click(self, node_id: str, kind: str, object_id: int | None) -> None:
        url = self.link(kind, object_id) if self.link and object_id is not None else None
        if url:
            self.clicks.append(f'    click {node_id} href "{text(url, 500)}"')

    def branch(self, destination: dict) -> str | None:
        """The node of a menu or ring group destination (drawn once); None for any other kind."""
        kind = destination["kind"]
        if kind == "menu" and str(destination.get("menu")) in self.table.menus:
            return self.menu(self.table.menus[str(destination["menu"])])
        if kind == "group" and str(destination.get("group")) in self.table.groups:
            return self.group(self.table.groups[str(destination["group"])])
        return None

    def step(self, node_id: str, when: str, destination: dict) -> str:
        """“when → where” as a line of `node_id`'s label; menus and groups get an edge instead."""
        target = self.branch(destination)
        if target is None:
            return f"{when} → {text(destination_words(destination, self.table), 80)}"
        self.edges_after.append((node_id, target, when))
        return f"{when} → {text(destination_words(destination, self.table))} ↓"

    def menu(self, menu: dict) -> str:
        node_id = f"m{menu['id']}"
        if node_id in self.drawn:
            return node_id
        self.drawn.add(node_id)
        greeting = menu.get("text") or _("a recorded greeting")
        title = _("IVR menu: %(name)s") % {"name": text(menu["name"])}
        lines = [f"<b>{title}</b>", f"<i>{text(greeting, 70)}</i>"]
        for digit, option in sorted(menu["options"].items()):
            lines.append(self.step(node_id, _("key %(digit)s") % {"digit": text(digit)}, option))
        tries = menu.get("max_retries", 0) + 1
        no_key = _("no valid key after %(tries)s tries") % {"tries": tries}
        lines.append(self.step(node_id, no_key, menu["final"]))
        self.node(node_id, "<br/>".join(lines), "sub", "menu")
        self.click(node_id, "menu", menu["id"])
        return node_id

    def group(self, group: dict) -> str:
        node_id = f"g{group['id']}"
        if node_id in self.drawn:
            return node_id
        self.drawn.add(node_id)
        order = (
            _("rings in turn, after the last one rung:")
            if group.get("strategy") == "round_robin"
            else _("rings in order:")
        )
        title = _("Ring group: %(name)s") % {"name": text(group["name"])}
        lines = [f"<b>{title}</b>", order]
        members = [f"{m['address']} ({m['timeout']} s)" for m in group.get("members", [])]
        lines += [f"{index}. {text(member)}" for index, member in enumerate(members, 1)] or [
            _("no members")
        ]
        lines.append(self.step(node_id, _("nobody answered"), group["final"]))
        self.node(node_id, "<br/>".join(lines), "sub", "group")
        self.click(node_id, "group", group["id"])
        return node_id

    def rule(self, position: int, rule: dict) -> str:
        node_id = f"r{rule['id']}"
        words = conditions(rule) or [_("every call")]
        options = rule.get("options") or {}
        notes = [_("recorded")] if options.get("record") else []
        if options.get("caller_id"):
            notes.append(_("shows %(caller_id)s") % {"caller_id": options["caller_id"]})
        lines = [f"<b>{position}. {text(rule['name'])}</b>", text(" · ".join(words), 90)]
        lines.append(self.step(node_id, _("then"), rule["destination"]))
        if notes:
            lines.append(f"({', '.join(notes)})")
        on_fail = options.get("on_fail")
        if on_fail and rule["destination"]["kind"] not in ("menu", "message", "voicemail"):
            fail = {
                "kind": on_fail["kind"],
                "number": on_fail.get("number"),
                "text": on_fail.get("text"),
            }
            lines.append(self.step(node_id, _("not answered"), fail))
        self.node(node_id, "<br/>".join(lines), "round", "rule")
        self.click(node_id, "rule", rule["id"])
        return node_id

    def source(self) -> str:
        for source, target, label in self.edges_after:
            self.edge(source, target, label)
        lines = [*self.lines, *self.clicks]
        for name, style in CLASSES.items():
            lines.append(f"    classDef {name} {style}")
            if self.classes[name]:
                lines.append(f"    class {','.join(self.classes[name])} {name}")
        return "\n".join(lines) + "\n"


def flow_source(table: Table, *, number: str | None = None, link: Link | None = None) -> str:
    """Mermaid source of what happens to a call to the project (or to one of its numbers)."""
    chart = _Chart(table, link)
    if number is not None and number in table.masking_pool:
        chart.node(
            "start", _("A call to %(number)s") % {"number": text(number)}, "stadium", "start"
        )
        chart.node(
            "mask", _("Masking number: connects the two people of an open session"), "box", "dest"
        )
        chart.edge("start", "mask")
        chart.node(
            "fallback",
            _("Anyone else hears that the number only connects session participants"),
            "box",
            "fallback",
        )
        chart.edge("mask", "fallback", _("not in a session"))
        return chart.source()
    if number is not None:
        chart.node(
            "start", _("A call to %(number)s") % {"number": text(number)}, "stadium", "start"
        )
        rules = rules_for_number(table, number) if number in table.numbers else []
    else:
        chart.node("start", _("A call to the project"), "stadium", "start")
        rules = list(table.rules)
        if table.masking_pool:
            proxies = ", ".join(sorted(table.masking_pool))
            chart.node(
                "mask",
                _("Masking: connects the people of an open session") + f"<br/>{text(proxies, 120)}",
                "box",
                "dest",
            )
            chart.edge("start", "mask", _("to a masking number"))
    previous, label = "start", ""
    for position, rule in enumerate(rules, 1):
        node_id = chart.rule(position, rule)
        chart.edge(previous, node_id, label)
        previous, label = node_id, _("no")
    message = f"“{text(table.fallback_message)}”"
    if number is None:
        fallback = _(
            "No rule applies: app users reach app users directly;<br/>anything else hears "
            "%(message)s"
        ) % {"message": message}
    elif number not in table.numbers:
        fallback = _("Not a number of this project now: callers hear %(message)s") % {
            "message": message
        }
    else:
        own = table.number_fallbacks.get(number)
        if own is not None:  # the number's own message comes before the project's
            message = f"“{text(own.get('audio') or own.get('text'))}”"
        fallback = _("No rule applies: the caller hears %(message)s") % {"message": message}
    chart.node("fallback", fallback, "box", "fallback")
    chart.edge(previous, "fallback", label)
    return chart.source()
