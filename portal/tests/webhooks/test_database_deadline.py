"""A deadline on database work: it interrupts a wait that never ends, nests inside another
(the shorter wins, the outer one runs on), and cannot be swallowed into an unbounded wait."""

import contextlib
import signal
import time

import pytest

from portal.webhooks.deadline import DatabaseDeadlineExceeded, database_deadline


def test_a_wait_that_never_ends_is_interrupted_at_the_deadline():
    started = time.monotonic()
    with pytest.raises(DatabaseDeadlineExceeded), database_deadline(0.1):
        time.sleep(5)
    assert time.monotonic() - started < 0.5
    assert signal.getitimer(signal.ITIMER_REAL)[0] == 0  # nothing left armed


def test_an_inner_deadline_leaves_the_outer_one_running():
    started = time.monotonic()
    with pytest.raises(DatabaseDeadlineExceeded), database_deadline(0.3):
        with database_deadline(0.05):
            time.sleep(0.01)  # the inner block ends in time
        time.sleep(5)  # the outer deadline still holds
    assert 0.25 < time.monotonic() - started < 0.8


def test_an_inner_deadline_longer_than_what_the_outer_has_left_ends_at_the_outer_one():
    started = time.monotonic()
    with pytest.raises(DatabaseDeadlineExceeded), database_deadline(0.1), database_deadline(5):
        time.sleep(5)
    assert time.monotonic() - started < 0.5


def test_a_swallowed_expiry_fires_again_instead_of_waiting_forever():
    started = time.monotonic()
    with pytest.raises(DatabaseDeadlineExceeded), database_deadline(0.1):
        with contextlib.suppress(DatabaseDeadlineExceeded):  # caught, and the wait goes on
            time.sleep(5)
        time.sleep(5)
    assert time.monotonic() - started < 0.5
