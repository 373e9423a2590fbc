"""Stringee-style JWT authentication for the management API (filled in by the API work)."""

from rest_framework.authentication import BaseAuthentication


class StringeeJWTAuthentication(BaseAuthentication):
    def authenticate(self, request):
        return None
