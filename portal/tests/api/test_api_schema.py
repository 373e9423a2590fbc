"""OpenAPI: the schema of the whole API validates without warnings and documents the JWT scheme."""

import pytest
import yaml
from django.core.management import call_command


@pytest.mark.django_db
def test_openapi_schema_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    scheme = schema["components"]["securitySchemes"]["StringeeAuthHeader"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "X-STRINGEE-AUTH")
    paths = schema["paths"]
    for path in (
        "/api/v1/numbers/",
        "/api/v1/numbers/inventory/",
        "/api/v1/numbers/purchase/",
        "/api/v1/numbers/{number}/release/",
        "/api/v1/users/{id}/",
        "/api/v1/access-tokens/",
        "/api/v1/projects/me/",
    ):
        assert {"StringeeAuthHeader": []} in next(iter(paths[path].values()))["security"], path
    assert "409" in paths["/api/v1/numbers/purchase/"]["post"]["responses"]


@pytest.mark.django_db
def test_swagger_ui_and_schema_are_served(client):
    assert client.get("/api/docs/").status_code == 200
    assert b"X-STRINGEE-AUTH" in client.get("/api/schema/").content
