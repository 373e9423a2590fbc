"""Two portal instances (gunicorn) share a throw-away PostgreSQL and Redis, each answering call
setup on a gunicorn of its own as `make serve` runs it: a rule changed through instance A's API is
what instance B's answer_url serves next, also after Redis restarts."""

import urllib.error
import urllib.request

import pytest

from bench.faults import propagation
from portal.devtools.stack import Stack, unavailable_reason

# About 20 s: it starts PostgreSQL, Redis and two gunicorns of its own.
pytestmark = pytest.mark.skipif(unavailable_reason() is not None, reason=str(unavailable_reason()))


def test_a_rule_changed_on_one_instance_is_served_by_the_other():
    with Stack(instances=2, workers=1, call_setup_workers=1) as stack:
        figures = propagation(stack, changes=2)
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(stack.call_setup_url(1) + "/api/v1/rules/", timeout=10)
    assert refused.value.code == 404  # the call-setup server answers call setup only
    # propagation() raises if instance B never serves the new rule within 30 s
    assert figures["steady"]["changes"] == 2 and figures["after Redis restart"]["changes"] == 2
    assert figures["steady"]["max_ms"] < 5000
