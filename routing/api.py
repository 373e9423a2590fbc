"""Management API views of the routing app."""


def register(router) -> None:
    """Add this app's viewsets to the API router."""
