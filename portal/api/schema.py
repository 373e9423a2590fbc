"""OpenAPI description of the portal's JWT and API-key schemes and its shared error responses."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

JWT_DESCRIPTION = (
    "A Stringee REST API token: a JWT signed HS256 with the project's API key secret, header "
    "`cty: stringee-api;v=1`, claims `jti`, `iss` (API key SID), `exp` (at most 24 h ahead) and "
    "`rest_api: true` (or 1). Sent in `X-STRINGEE-AUTH`, `Authorization: Bearer` or "
    "`?access_token=`."
)


class StringeeJWTScheme(OpenApiAuthenticationExtension):
    """Either header carries the same token; one of them is enough."""

    target_class = "portal.api.authentication.StringeeJWTAuthentication"
    name = ["StringeeAuthHeader", "StringeeBearer", "StringeeAccessTokenQuery"]

    def get_security_requirement(self, auto_schema):
        return [{name: []} for name in self.name]

    def get_security_definition(self, auto_schema):
        return [
            {
                "type": "apiKey",
                "in": "header",
                "name": "X-STRINGEE-AUTH",
                "description": JWT_DESCRIPTION,
            },
            {
                "type": "http",
                "scheme": "bearer",
                "bearerFormat": "JWT",
                "description": JWT_DESCRIPTION,
            },
            {
                "type": "apiKey",
                "in": "query",
                "name": "access_token",
                "description": JWT_DESCRIPTION,
            },
        ]


API_KEY_DESCRIPTION = (
    "A key the project's owner creates in the admin (API keys), sent as "
    "`Authorization: Api-Key <key>`. Read-only keys get 403 on any write; expired or revoked "
    "keys get 401."
)


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """A tenant's own API key in the Authorization header."""

    target_class = "portal.api.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": API_KEY_DESCRIPTION,
        }


ErrorSerializer = inline_serializer(
    name="Error",
    fields={
        "error": serializers.CharField(help_text="Machine-readable code, e.g. `not_found`."),
        "detail": serializers.CharField(help_text="Human-readable explanation."),
        "fields": serializers.DictField(required=False, help_text="Per-field messages (400 only)."),
    },
)


def error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


SHARED_ERRORS = {
    "400": "The request was refused: `fields` says what to correct.",
    "401": "No valid credentials (token missing, expired, malformed or badly signed).",
    "403": "These credentials may not do this (e.g. a viewer writing).",
    "404": "No such object among the caller's, or no such page.",
    "429": "Too many requests for this project; retry after the `Retry-After` seconds.",
}


UNSUPPORTED_BODY = "The body is not in a documented content type (send JSON)."
STILL_IN_USE = (
    "Not deleted: other objects still use this one (`still_in_use`); `detail` names them. "
    "Change or delete those first."
)


def document_shared_errors(result, generator, request, public):
    """drf-spectacular hook: every management API operation documents the error answers any of
    them can give, in the one Error shape the exception handler writes."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault(
        "Error",
        {
            "type": "object",
            "properties": {
                "error": {"type": "string"},
                "detail": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {}},
            },
            "required": ["error", "detail"],
        },
    )
    body = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/v1/"):
            continue
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, description in SHARED_ERRORS.items():
                responses.setdefault(status, {"description": description, "content": body})
            if "requestBody" in operation:
                responses.setdefault("415", {"description": UNSUPPORTED_BODY, "content": body})
        if "delete" in operations:
            operations["delete"]["responses"].setdefault(
                "409", {"description": STILL_IN_USE, "content": body}
            )
    return result


class VerifiedSessionScheme(OpenApiAuthenticationExtension):
    """A signed-in staff browser's session cookie, once it passed two-factor sign-in."""

    target_class = "portal.api.authentication.VerifiedSessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": "sessionid",
            "description": (
                "A staff member's admin session (with the CSRF token for writes), once it "
                "passed two-factor sign-in where the account has or needs it; 403 "
                "`second_factor_required` until then."
            ),
        }
