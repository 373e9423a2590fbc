"""The routing app's models, one module per concept, re-exported here for Django and for callers."""

from routing.kinds import DestinationKind
from routing.models.calendar import WEEKDAYS, Holiday, OpeningHours
from routing.models.destination import Destination
from routing.models.groups import ConferenceRoom, RingGroup, RingGroupMember
from routing.models.ivr import IvrMenu, IvrOption
from routing.models.log import RoutingErrorLog
from routing.models.masking import MaskingBinding, MaskingPoolNumber, MaskingSession
from routing.models.rules import RoutingRule, validate_days, validate_pattern
from routing.models.table import RoutingTable

__all__ = [
    "WEEKDAYS",
    "ConferenceRoom",
    "Destination",
    "DestinationKind",
    "Holiday",
    "IvrMenu",
    "IvrOption",
    "MaskingBinding",
    "MaskingPoolNumber",
    "MaskingSession",
    "OpeningHours",
    "RingGroup",
    "RingGroupMember",
    "RoutingErrorLog",
    "RoutingRule",
    "RoutingTable",
    "validate_days",
    "validate_pattern",
]
