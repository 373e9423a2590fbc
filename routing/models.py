"""Routing rules per project (filled in by the routing work)."""
