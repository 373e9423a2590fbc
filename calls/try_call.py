"""The "Try a call" page's work: a test call placed through the emulator in this process, carried
on key by key and callee by callee, and told as a transcript with what decided each step.

The emulator (calls.emulator) plays Stringee's part against this very portal through its
in-process transport, so the page needs no second server worker. Between two presses its state
(plain JSON, no secret) is kept in the staff member's session, one call per project. Each
request the portal answered with a routing step is paired, in order, with the routing decisions
the call's record keeps (calls.story), which name the rule, menu or ring group that decided it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.urls import reverse

from calls.emulator import CallSetup, Emulator, Run
from calls.emulator.project import in_process_transport, portal_for
from calls.models import CallRecord
from calls.story import (
    GROUP_URL,
    MENU_URL,
    DecisionStory,
    Link,
    admin_links,
    decision_stories,
)
from portal.models import Project
from portal.tenancy.policy import scope_to_projects
from routing.models import IvrMenu, RingGroup

SESSION_KEY = "try-call:{project}"
KEYPAD = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"]


@dataclass
class Line:
    """One line of the transcript: when, what happened in words, and what decided it."""

    at: float
    kind: str
    says: str
    decided: DecisionStory | None = None


@dataclass
class Transcript:
    call_id: str
    lines: list[Line]
    need: dict[str, Any] | None
    ended: bool
    story_url: str = ""
    heard: list[str] = field(default_factory=list)


def emulator_for(project: Project, base_url: str) -> Emulator:
    """The emulator playing Stringee for `project`, answered by this process's portal."""
    return Emulator(portal_for(project, base_url), transport=in_process_transport())


def try_call_start(
    *, project: Project, session: SessionBase, base_url: str, from_: str, to: str, app: bool
) -> Run:
    """Place a test call that stops wherever a person would act (keys, a callee's answer)."""
    run = emulator_for(project, base_url).start(CallSetup(from_=from_, to=to, app=app))
    _keep(session, project, run)
    return run


def try_call_resume(
    *,
    project: Project,
    session: SessionBase,
    base_url: str,
    keys: str | None = None,
    outcome: str | None = None,
) -> Run | None:
    """Carry the session's call on with the keys pressed or what the callee did (None: no call
    waits). EmulatorError when the call cannot take that answer."""
    state = session.get(SESSION_KEY.format(project=project.pk))
    if not state:
        return None
    run = emulator_for(project, base_url).resume(state, keys=keys, outcome=outcome)
    _keep(session, project, run)
    return run


def try_call_forget(*, project: Project, session: SessionBase) -> None:
    session.pop(SESSION_KEY.format(project=project.pk), None)


def _keep(session: SessionBase, project: Project, run: Run) -> None:
    session[SESSION_KEY.format(project=project.pk)] = run.state


def current_run(project: Project, session: SessionBase) -> Run | None:
    state = session.get(SESSION_KEY.format(project=project.pk))
    return Run.from_state(state) if state else None


def _decides(step: dict) -> bool:
    """Whether the portal answered this request with a routing step (an SCCO)."""
    http = step.get("http") or {}
    return step.get("kind") in ("answer_url", "callback") and isinstance(http.get("reply"), list)


def _named_by_url(project: Project, step: dict) -> DecisionStory | None:
    """What decided a callback whose decision the call log does not hold yet (it is stored with
    the call's next event): the menu or ring group its URL names."""
    url = str((step.get("http") or {}).get("url") or "")
    menus = [int(found) for found in MENU_URL.findall(url)]
    groups = [int(found) for found in GROUP_URL.findall(url)]
    if not menus and not groups:
        return None
    story = DecisionStory(reason="")
    story.menus = list(admin_links(IvrMenu, project.pk, set(menus), set()).values())
    story.groups = list(admin_links(RingGroup, project.pk, set(groups), set()).values())
    return story


def transcript(project: Project, run: Run) -> Transcript:
    """The run's steps in words, each routing answer beside the rule, menu or group that gave
    it, and the link to the call's story (once the call log has it)."""
    record = (
        scope_to_projects(CallRecord.objects.all(), [project.pk])
        .filter(call_id=run.call_id)
        .first()
    )
    stories = iter(decision_stories(record) if record is not None else [])
    lines = []
    for step in run.steps:
        decided = (next(stories, None) or _named_by_url(project, step)) if _decides(step) else None
        lines.append(
            Line(float(step.get("at") or 0), str(step["kind"]), str(step["says"]), decided)
        )
    url = reverse("admin:calls_callrecord_change", args=[record.pk]) if record else ""
    return Transcript(run.call_id, lines, run.need, run.ended, url, list(run.heard))


__all__ = ["KEYPAD", "Link", "Transcript", "current_run", "transcript"]
