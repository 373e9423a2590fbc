"""Management API views of the tenancy domain (numbers, app users, tokens, projects/me)."""


def register(router) -> None:
    """Add this module's viewsets to the API router."""
