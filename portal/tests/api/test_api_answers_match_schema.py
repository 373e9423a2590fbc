"""Answers that hold nulls and times of day say so in the schema (each value checked against its
declared property)."""

import re
from datetime import time

import pytest

from calls.tests.factories import CallRecordFactory
from portal.api.authentication import make_rest_token
from routing.tests.factories import RoutingRuleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    return client.get("/api/schema/", HTTP_ACCEPT="application/json").json()


def _property(schema, component: str, name: str) -> dict:
    return schema["components"]["schemas"][component]["properties"][name]


def test_a_call_without_number_or_recording_answers_nulls_the_schema_allows(
    client, tenant_a, schema
):
    CallRecordFactory(project=tenant_a, virtual_number=None, recording_url="")
    row = client.get("/api/v1/calls/", HTTP_X_STRINGEE_AUTH=make_rest_token(tenant_a)).json()[
        "results"
    ][0]
    assert row["virtual_number"] is None
    assert row["recording_url"] is None  # not "", which is no URL
    for name in ("virtual_number", "recording_url"):
        assert _property(schema, "CallRecord", name).get("nullable") is True, name
    assert _property(schema, "CallRecord", "recording_url")["format"] == "uri"


def test_a_rule_ending_at_midnight_answers_a_time_the_schema_describes(client, tenant_a, schema):
    RoutingRuleFactory(project=tenant_a, schedule_start=time(18), schedule_end=time(0))
    row = client.get("/api/v1/rules/", HTTP_X_STRINGEE_AUTH=make_rest_token(tenant_a)).json()[
        "results"
    ][0]
    for name, sent in (("schedule_start", "18:00:00"), ("schedule_end", "00:00:00")):
        declared = _property(schema, "RoutingRule", name)
        assert row[name] == sent
        assert "format" not in declared  # OpenAPI's `time` wants a UTC offset; these have none
        assert re.match(declared["pattern"], sent), name


@pytest.mark.parametrize("typed", ["1800", "18h", "25:00", "18:00+07:00"])
def test_a_time_of_day_not_in_the_declared_form_is_refused(client, tenant_a, typed):
    response = client.post(
        "/api/v1/rules/",
        {"name": "Evenings", "schedule_start": typed, "schedule_end": "23:00"},
        content_type="application/json",
        HTTP_X_STRINGEE_AUTH=make_rest_token(tenant_a),
    )
    assert response.status_code == 400
    assert "schedule_start" in response.json()["fields"]
