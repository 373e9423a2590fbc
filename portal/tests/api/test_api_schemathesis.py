"""The management API against its own OpenAPI description (schemathesis, every check).

Each operation of /api/v1/ gets generated requests, valid and invalid, sent with the tenant's
JWT: none may answer a server error, and every answer must match what /api/schema/ documents
(status code, content type, body, headers). The webhooks have their own fuzz
(calls/tests/webhooks/test_webhook_fuzz.py).
"""

from datetime import time

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from calls.tests.factories import CallRecordFactory
from portal.api.authentication import make_rest_token
from portal.tests.factories import AppUserFactory, VirtualNumberFactory
from portal.wsgi import application
from routing.tests.factories import RoutingRuleFactory

EXAMPLES_PER_OPERATION = 12
pytestmark = pytest.mark.django_db


@pytest.fixture
def api_operations(tenant_a):
    AppUserFactory(project=tenant_a, user_id="agent_1")
    VirtualNumberFactory(project=tenant_a, number="+84899000111")
    VirtualNumberFactory(project=None, status="available", number="+84899000222")
    # Rows whose answers hold the values a schema most easily gets wrong: a call to no number of
    # the project with no recording (nulls), a rule whose time window ends at midnight.
    CallRecordFactory(project=tenant_a, virtual_number=None, recording_url="")
    CallRecordFactory(project=tenant_a, recording_url="https://files.example/rec.mp3")
    RoutingRuleFactory(
        project=tenant_a, name="Nights", schedule_start=time(18), schedule_end=time(0)
    )
    # Requests go straight to the WSGI application: like Django's test client, keep the test's
    # transaction's connection open between them (Django would close it at each request's end).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    yield [result.ok() for result in schema.include(path_regex="^/api/v1/").get_all_operations()]
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _failures_of(operation, mode: GenerationMode, project) -> list[str]:
    failures: list[str] = []
    token = make_rest_token(project)
    # Business rules the schema cannot state (a name already taken, a text that is not a phone
    # number, a greeting required unless an audio file is given, a number not for sale) refuse
    # bodies that fit the schema: those answers are 400s and 409s in the documented Error shape,
    # so positive_data_acceptance is left out for writes only. Every other check runs, on every
    # operation, negative_data_rejection included.
    writes = operation.method.upper() in ("POST", "PUT", "PATCH")
    excluded_checks = [positive_data_acceptance] if writes else []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def send(case):
        # One token for every case, as Stringee's clients keep one until its `exp`.
        case.call_and_validate(
            headers={"X-STRINGEE-AUTH": token},
            excluded_checks=excluded_checks,
        )

    try:
        send()
    except (Exception, BaseExceptionGroup) as problem:  # one report per operation: see them all
        failures.append(f"{operation.label} ({mode}): {problem}")
    return failures


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_server_error_and_every_answer_as_documented(api_operations, tenant_a, mode):
    failures = [
        failure
        for operation in api_operations
        for failure in _failures_of(operation, mode, tenant_a)
    ]
    assert not failures, "\n\n".join(failures)
