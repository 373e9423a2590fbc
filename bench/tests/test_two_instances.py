"""Two portal instances (gunicorn) share a throw-away PostgreSQL and Redis: a rule changed through
instance A's API is what instance B's answer_url serves next, also after Redis restarts."""

import pytest

from bench.faults import propagation
from portal.devtools.stack import Stack, unavailable_reason

# About 20 s: it starts PostgreSQL, Redis and two gunicorns of its own.
pytestmark = pytest.mark.skipif(unavailable_reason() is not None, reason=str(unavailable_reason()))


def test_a_rule_changed_on_one_instance_is_served_by_the_other():
    with Stack(instances=2, workers=1) as stack:
        figures = propagation(stack, changes=2)
    # propagation() raises if instance B never serves the new rule within 30 s
    assert figures["steady"]["changes"] == 2 and figures["after Redis restart"]["changes"] == 2
    assert figures["steady"]["max_ms"] < 5000
