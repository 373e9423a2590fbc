"""The routing engine: pure functions from a project's compiled table and a call to an SCCO.

No HTTP and no database. `decide` picks the rule and runs IVR, on-fail and ring-group steps;
`destinations` builds the SCCO of each destination kind (`ring` and `masking` add theirs);
`calendar` answers "is the project open"; `explain` tells why each rule did or did not match.
"""

from routing.engine.decide import (
    MATCHERS,
    Decision,
    candidates,
    ivr_step,
    on_fail_step,
    ring_step,
    route,
    rule_scco,
)
from routing.engine.types import Call, CallState, Context, Links, NoState, Table

__all__ = [
    "MATCHERS",
    "Call",
    "CallState",
    "Context",
    "Decision",
    "Links",
    "NoState",
    "Table",
    "candidates",
    "ivr_step",
    "on_fail_step",
    "ring_step",
    "route",
    "rule_scco",
]
