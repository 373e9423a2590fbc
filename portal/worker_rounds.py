"""What the background worker's watchdog does each round besides the portal's own upkeep: jobs
the apps register in their `ready()` (the calls app queues the recording copies that are due),
so that `portal` names no model of another app."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import DatabaseError

logger = logging.getLogger(__name__)

ROUNDS: dict[str, Callable[[], int]] = {}


def every_round(name: str, job: Callable[[], int]) -> None:
    """Run `job` (it returns how many things it queued) in each of the watchdog's rounds."""
    ROUNDS[name] = job


def run_rounds() -> None:
    """One round of every registered job; a failure is logged, and the next round tries again."""
    for name, job in ROUNDS.items():
        try:
            if queued := job():
                logger.info("%s: %d queued", name, queued)
        except DatabaseError:
            logger.exception("%s failed; trying again next round", name)
