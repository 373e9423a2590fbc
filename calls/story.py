"""A call's story for staff: its timeline, routing decisions, errors and recordings, in words.

`call_decisions` is the one place that reads a record's routing decisions, so where they are
stored can change without touching the rest. Everything else reads only rows of the record's
own project (portal.tenancy), so a story never shows another tenant's rules or errors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from calls.models import CallEvent, CallRecord, Recording
from portal.tenancy.policy import scope_to_projects
from routing.models import IvrMenu, RingGroup, RoutingErrorLog, RoutingRule
from routing.scco_words import action_in_words

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

EVENT_WORDS = {
    "created": _("Call placed"),
    "started": _("Call started"),
    "ringing": _("Ringing"),
    "answered": _("Answered"),
    "ended": _("Call ended"),
    "agentEnded": _("Agent left the call"),
}
STATUS_WORDS: dict[str, StrOrPromise] = {
    CallRecord.Status.IN_PROGRESS: _("In progress"),
    CallRecord.Status.ANSWERED: _("Answered"),
    CallRecord.Status.BUSY: _("Busy: the person called was on another call"),
    CallRecord.Status.NO_ANSWER: _("Missed: nobody answered"),
    CallRecord.Status.CANCELLED: _("Missed: the caller hung up before an answer"),
    CallRecord.Status.FAILED: _("Failed: the call could not be connected"),
}
SIP_WORDS = {
    "200": _("normal hang-up"),
    "408": _("nobody answered in time"),
    "480": _("the person called was not reachable"),
    "486": _("the line was busy"),
    "487": _("the caller hung up before an answer"),
    "600": _("busy everywhere"),
    "603": _("the call was declined"),
    "404": _("the number does not exist"),
    "484": _("the number is incomplete"),
    "500": _("a server error at Stringee or the carrier"),
    "503": _("the network was unavailable"),
}
# Stringee's named end causes (the contract's "ended" event) and the usual Q.850 names.
CAUSE_WORDS = {
    "USER_END_CALL": _("hung up"),
    "NORMAL_CLEARING": _("normal hang-up"),
    "CAN_NOT_MAKE_CALL": _("the call could not be placed"),
    "MAX_CONNECT_TIME": _("the longest allowed call time was reached"),
    "USER_BUSY": _("the line was busy"),
    "NO_ANSWER": _("nobody answered in time"),
    "NO_USER_RESPONSE": _("nobody answered in time"),
    "CALL_REJECTED": _("the call was declined"),
    "ORIGINATOR_CANCEL": _("the caller hung up before an answer"),
    "UNALLOCATED_NUMBER": _("the number does not exist"),
}
ENDED_BY_WORDS = {
    "caller": _("the caller"),
    "callee": _("the person called"),
    "from": _("the caller"),
    "to": _("the person called"),
    "system": "Stringee",
    "server": "Stringee",
    "internal": _("the app user"),
    "external": _("the phone caller or person called"),
}
MENU_URL = re.compile(r"/ivr/\d+/[^/]+/(\d+)/")
GROUP_URL = re.compile(r"/ring/\d+/[^/]+/(\d+)/")
_MENU_NAME = re.compile(r"menu “(.+?)”")
_GROUP_NAME = re.compile(r"ring group “(.+?)”")


def call_decisions(record: CallRecord) -> list[dict]:
    """The routing decisions logged for the call, in order ({rule, rule_name, reason, scco})."""
    return [decision for decision in (record.routing or []) if isinstance(decision, dict)]


@dataclass(frozen=True)
class Link:
    text: str
    url: str


@dataclass
class DecisionStory:
    reason: str
    rule: Link | None = None
    menus: list[Link] = field(default_factory=list)
    groups: list[Link] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    fallback: bool = False
    scco: list = field(default_factory=list)


@dataclass
class Moment:
    at: datetime | None
    text: str
    payload: dict


@dataclass
class CallStory:
    status: str
    end: str
    time_zone: str
    moments: list[Moment]
    decisions: list[DecisionStory]
    errors: list[tuple[RoutingErrorLog, str]]
    recordings: list[Recording]


def end_in_words(end_cause: str, ended_by: str) -> str:
    """“Ended by the caller: normal hang-up (200 OK)” from Stringee's raw fields."""
    if not end_cause and not ended_by:
        return ""
    code = (end_cause or "").strip()[:3]
    words = SIP_WORDS.get(code) or CAUSE_WORDS.get((end_cause or "").strip().upper())
    why = str(words) if words else end_cause
    who = ENDED_BY_WORDS.get((ended_by or "").lower(), ended_by)
    text = gettext("Ended by %(who)s") % {"who": who} if who else gettext("Ended")
    if why:
        text += f": {why}"
    if end_cause and why != end_cause:
        text += f" ({end_cause})"
    return text


def admin_links(model, project_id: int, ids: set[int], names: set[str]) -> dict:
    """Links to the rows of `model` named by id or by name, read with one query."""
    found: dict = {}
    if not ids and not names:
        return found
    rows = scope_to_projects(model.objects.all(), [project_id])
    info = (model._meta.app_label, model._meta.model_name)
    for obj in rows.filter(Q(pk__in=ids) | Q(name__in=names)):
        link = Link(obj.name, reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
        if obj.pk in ids:
            found[obj.pk] = link
        if obj.name in names:
            found[obj.name] = link
    return found


def decision_stories(record: CallRecord) -> list[DecisionStory]:
    decisions = call_decisions(record)
    rule_ids: set[int] = set()
    menu_ids: set[int] = set()
    group_ids: set[int] = set()
    menu_names: set[str] = set()
    group_names: set[str] = set()
    for decision in decisions:
        if isinstance(decision.get("rule"), int):
            rule_ids.add(decision["rule"])
        text = str(decision.get("scco"))
        menu_ids.update(int(i) for i in MENU_URL.findall(text))
        group_ids.update(int(i) for i in GROUP_URL.findall(text))
        menu_names.update(_MENU_NAME.findall(str(decision.get("reason", ""))))
        group_names.update(_GROUP_NAME.findall(str(decision.get("reason", ""))))
    rules = admin_links(RoutingRule, record.project_id, rule_ids, set())
    menus = admin_links(IvrMenu, record.project_id, menu_ids, menu_names)
    groups = admin_links(RingGroup, record.project_id, group_ids, group_names)
    stories = []
    for decision in decisions:
        logged = decision.get("scco")
        scco: list = logged if isinstance(logged, list) else []
        text, reason = str(scco), str(decision.get("reason", ""))
        story = DecisionStory(reason=reason, scco=scco, actions=[action_in_words(a) for a in scco])
        story.rule = rules.get(decision.get("rule"))
        if story.rule is None and decision.get("rule_name"):
            story.rule = Link(
                gettext("%(name)s (since deleted)") % {"name": decision["rule_name"]}, ""
            )
        keys = [int(i) for i in MENU_URL.findall(text)] + _MENU_NAME.findall(reason)
        story.menus = list(dict.fromkeys(menus[k] for k in keys if k in menus))
        keys = [int(i) for i in GROUP_URL.findall(text)] + _GROUP_NAME.findall(reason)
        story.groups = list(dict.fromkeys(groups[k] for k in keys if k in groups))
        story.fallback = (
            not story.rule and not story.menus and not story.groups and "fallback" in reason
        )
        stories.append(story)
    return stories


def call_events(record: CallRecord) -> list[CallEvent]:
    """The call's events in Stringee's order, read once per record object: its page shows them
    twice (the story's timeline and the raw events)."""
    if "_events" not in record.__dict__:
        events = scope_to_projects(CallEvent.objects.all(), [record.project_id])
        record.__dict__["_events"] = list(
            events.filter(call_id=record.call_id).order_by("timestamp_ms", "id")
        )
    return record.__dict__["_events"]


def call_story(record: CallRecord) -> CallStory:
    """The story of `record` (already scoped by the caller), in the project's time zone."""
    zone = record.project.time_zone
    moments = []
    for event in call_events(record):
        words = str(EVENT_WORDS.get(event.status, event.status or event.type))
        if event.status == "ended":
            ending = end_in_words(
                str(event.payload.get("endCallCause") or ""),
                str(event.payload.get("endedBy") or ""),
            )
            words = f"{words}. {ending}" if ending else words
        if event.payload.get("source") == "call_log":
            words = gettext("%(words)s (read from Stringee's call log)") % {"words": words}
        at = event.occurred_at or event.received_at
        moments.append(Moment(at.astimezone(ZoneInfo(zone)) if at else None, words, event.payload))
    errors = scope_to_projects(RoutingErrorLog.objects.all(), [record.project_id]).filter(
        call_id=record.call_id
    )
    return CallStory(
        status=str(STATUS_WORDS.get(record.status, record.get_status_display())),
        end=end_in_words(record.end_cause, record.ended_by),
        time_zone=zone,
        moments=moments,
        decisions=decision_stories(record),
        errors=[
            (error, reverse("admin:routing_routingerrorlog_change", args=[error.pk]))
            for error in errors.order_by("created_at")
        ],
        recordings=_with_problems(list(record.recordings.all())),
    )


def _with_problems(recordings: list[Recording]) -> list[Recording]:
    """Each recording with `problem`: why it cannot be played here, in words (None: it can)."""
    from calls.playback import recording_problem

    for recording in recordings:
        recording.problem = recording_problem(recording)  # type: ignore[attr-defined]
    return recordings
