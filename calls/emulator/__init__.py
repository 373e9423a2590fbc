"""A Stringee call emulator: plays Stringee's part of a call against a running portal, over HTTP.

It GETs the project's answer_url as Stringee does, plays the SCCO action by action (what the
caller hears, the keys they press, the callees that ring and what they do, recordings), posts
the callbacks the SCCO names and the call events Stringee sends, so the call lands in the call
log with its story, marked as a test call (its id starts with `call-test-`).

    from calls.emulator import CallSetup, Emulator
    from calls.emulator.project import portal_for

    run = Emulator(portal_for(project)).start(CallSetup(from_="84901234567", to="84899199866"))
    while run.need:  # {"kind": "keys", …} or {"kind": "outcome", …}
        run = emulator.resume(run.state, keys="1")  # or outcome="busy"

The API (classes, the step and state shapes, resuming) is described in docs/try-a-call.md.
"""

from __future__ import annotations

from calls.emulator.ids import TEST_CALL_PREFIX, is_test_call_id
from calls.emulator.machine import Emulator, EmulatorError
from calls.emulator.types import FAILURE_CAUSES, CallSetup, Outcome, Portal, Run

__all__ = [
    "FAILURE_CAUSES",
    "TEST_CALL_PREFIX",
    "CallSetup",
    "Emulator",
    "EmulatorError",
    "Outcome",
    "Portal",
    "Run",
    "is_test_call_id",
]
