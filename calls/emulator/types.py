"""The emulator's vocabulary: where the portal is, the call to place, and what a run returns.

Everything a run hands back is plain JSON (dicts, lists, strings, numbers), so that a page can
keep a paused call in its session and a command can print it. `Run.state` is the whole call;
give it back to `Emulator.resume` with the keys or the callee's outcome the run asked for.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

STATE_VERSION = 1


class Outcome(StrEnum):
    """What a callee does when a `connect` rings them; each ends a failed try with a SIP cause."""

    ANSWERED = "answered"
    BUSY = "busy"
    NO_ANSWER = "no_answer"
    UNREACHABLE = "unreachable"


# The `endCallCause` Stringee reports when a callee does not take the call (contract §3.1;
# calls.cdr reads the leading SIP code: 486 busy, 408/480 no answer).
FAILURE_CAUSES = {
    Outcome.BUSY: "486 Busy Here",
    Outcome.NO_ANSWER: "408 Request Timeout",
    Outcome.UNREACHABLE: "480 Temporarily Unavailable",
}


@dataclass(frozen=True)
class Portal:
    """Where Stringee's requests go, and what Stringee knows of the project.

    `base_url` is the portal the emulator talks to (e.g. http://127.0.0.1:8000): every URL,
    the answer_url's and those the SCCOs name, is sent there (path and query kept), so a portal
    whose PUBLIC_BASE_URL is its public name can be tried from its own machine. `answer_url` and
    `event_url` are the project's webhook URLs as pasted into Stringee; `signing_secret`, when
    set, signs every request with X-STRINGEE-SIGNATURE as Stringee does; `hide` lists strings
    (the webhook token) blanked out of the transcript's URLs.
    """

    base_url: str
    answer_url: str
    event_url: str
    project_id: int
    signing_secret: str = ""
    account_sid: str = "AC_EMULATOR"
    hide: tuple[str, ...] = ()


@dataclass
class CallSetup:
    """The call to place, and optionally everything it will need.

    `app=True`: an app user calls (makeCall from the SDK; `user_id` defaults to `from_`), else a
    phone calls one of the project's numbers. `keys`: what the caller presses at each `input`,
    in order ("" for nothing: the input times out). `outcomes`: what each rung callee does, in
    order (Outcome values). When a list runs out the run pauses and asks (`ask=True`), or goes
    on with no key pressed and the callee answering (`ask=False`). The durations are the
    emulated clock's: how long a callee rings before answering, how long an answered call talks,
    how long a voicemail message lasts.
    """

    from_: str
    to: str
    app: bool = False
    user_id: str = ""
    custom: str = ""
    keys: list[str] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)
    ask: bool = True
    ring_seconds: int = 4
    talk_seconds: int = 30
    message_seconds: int = 10

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Run:
    """Where a call stands after `start` or `resume`.

    `steps`: the whole transcript so far (see docs/try-a-call.md for a step's keys). `need`:
    None when the call ended, else what to give `resume` (`{"kind": "keys", …}` or
    `{"kind": "outcome", …}`). `state`: the call, JSON; give it back to `resume`.
    """

    call_id: str
    steps: list[dict[str, Any]]
    need: dict[str, Any] | None
    ended: bool
    state: dict[str, Any]

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Run:
        """The run a saved state stands for (to show a paused call again without resuming)."""
        return cls(
            call_id=state["call"]["call_id"],
            steps=list(state["steps"]),
            need=state["need"],
            ended=state["ended"],
            state=state,
        )

    @property
    def heard(self) -> list[str]:
        """What the caller heard, in order."""
        return [step["hears"] for step in self.steps if step.get("hears")]

    def as_json(self) -> dict[str, Any]:
        """The run as the command prints it (the state left out)."""
        return {
            "call_id": self.call_id,
            "ended": self.ended,
            "need": self.need,
            "heard": self.heard,
            "steps": self.steps,
        }
