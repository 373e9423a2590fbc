"""Staff pages of the routing app, one module per concept; importing them registers the pages."""

from routing.admin import calendar, flow, groups, ivr, log, masking, rules

__all__ = ["calendar", "flow", "groups", "ivr", "log", "masking", "rules"]
