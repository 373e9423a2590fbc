"""OpenAPI: the webhooks are documented with their parameters, bodies and the SCCO they answer."""

import pytest
import yaml
from django.core.management import call_command

from routing.scco import SCHEMA
from routing.scco_schema import ACTION_SERIALIZERS

ANSWER = "/answer_url/{stringee_project_id}/{token}/"
IVR = "/ivr/{stringee_project_id}/{token}/{menu_id}/"


@pytest.fixture(scope="module")
def schema(tmp_path_factory, django_db_blocker):
    target = tmp_path_factory.mktemp("schema") / "schema.yaml"
    with django_db_blocker.unblock():
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    return yaml.safe_load(target.read_text())


def test_every_webhook_is_in_the_schema_under_its_tag_without_api_auth(schema):
    webhooks = {path: ops for path, ops in schema["paths"].items() if not path.startswith("/api/")}
    assert {path.split("/")[1] for path in webhooks} == {
        "answer_url",
        "event_url",
        "ivr",
        "on_fail",
        "ring",
        "recording_event",
    }
    for path, operations in webhooks.items():
        for operation in operations.values():
            assert operation["tags"] == ["Stringee webhooks"], path
            assert "security" not in operation, path
            assert {"403", "404", "405"} <= set(operation["responses"]), path
            assert "X-STRINGEE-SIGNATURE" in {p["name"] for p in operation["parameters"]}, path


def test_answer_url_lists_stringees_query_parameters_and_answers_an_scco(schema):
    operation = schema["paths"][ANSWER]["get"]
    names = {p["name"] for p in operation["parameters"] if p["in"] == "query"}
    assert names == {
        "from",
        "to",
        "fromInternal",
        "userId",
        "projectId",
        "custom",
        "callId",
        "uuid",
    }
    reply = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert reply == {"type": "array", "items": {"$ref": "#/components/schemas/SccoAction"}}
    action = schema["components"]["schemas"]["SccoAction"]
    assert set(action["discriminator"]["mapping"]) == set(SCHEMA)
    assert len(action["oneOf"]) == 7


def test_ivr_callback_documents_the_dtmf_body(schema):
    body = schema["paths"][IVR]["post"]["requestBody"]["content"]["application/json"]["schema"]
    component = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
    assert {"time", "dtmf", "call_id", "customField", "timeout"} <= set(component["properties"])
    assert component["properties"]["time"]["type"] == "string"


@pytest.mark.parametrize("action", sorted(SCHEMA))
def test_action_serializers_name_the_fields_the_validator_knows(action):
    documented = set(ACTION_SERIALIZERS[action]().fields) - {"action"}
    assert documented == set(SCHEMA[action]) - {"timeOut"}  # timeOut is read, never written
