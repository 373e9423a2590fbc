"""What the end-to-end tests read in a run's transcript (the fixtures are in conftest.py)."""

from __future__ import annotations

from calls.emulator import Run


def kinds(run: Run, kind: str) -> list[dict]:
    """The run's steps of one kind, in order."""
    return [step for step in run.steps if step["kind"] == kind]


def rung(run: Run) -> list[str]:
    """Who rang, in order (app user ids and phone numbers as the SCCOs name them)."""
    return [step["data"]["target"]["number"] for step in kinds(run, "ring")]


def ending(run: Run) -> dict:
    """The `end` step's data: the cause, the duration and the answered duration."""
    return kinds(run, "end")[-1]["data"]


def every_request_answered(run: Run) -> bool:
    """Whether the portal answered every request of the call with 200."""
    return all(step["http"]["status"] == 200 for step in run.steps if step["http"])
