"""With the database unreachable the event_url answers 503 at once, stores nothing, and recovers."""

import time
from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError, connection

from calls.models import CallEvent, CallRecord
from calls.tests.factories import T0, call_event, event_url_of, post_json

pytestmark = pytest.mark.django_db


def _unreachable(*args, **kwargs):
    raise OperationalError("connection refused")


def failing_fold(failure):
    """The database fails (`failure()` raises or hangs) when the call record is written: on SQLite
    after the event's own INSERT ran in the same transaction, on PostgreSQL in the one statement."""

    def wrapper(execute, sql, params, many, context):
        if "calls_callrecord" in sql:
            failure()
        return execute(sql, params, many, context)

    return connection.execute_wrapper(wrapper)


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_event_url_answers_503_fast_when_the_database_fails(client, tenant_a, error):
    post_json(client, event_url_of(tenant_a), call_event("warm", "created"))  # project cached
    started = time.monotonic()

    def closed():
        raise error("server closed the connection")

    with failing_fold(closed):
        response = post_json(client, event_url_of(tenant_a), call_event("down-1", "created", T0))
    assert time.monotonic() - started < 1
    assert response.status_code == 503
    assert response.json()["error"] == "database_unavailable"
    assert not CallEvent.objects.filter(call_id="down-1").exists()  # nothing half-way
    assert (
        post_json(client, event_url_of(tenant_a), call_event("down-1", "created", T0)).status_code
        == 200
    )
    assert CallRecord.objects.filter(call_id="down-1").exists()


def test_event_url_answers_503_when_no_connection_can_be_made(client, tenant_a):
    post_json(client, event_url_of(tenant_a), call_event("warm", "created"))
    started = time.monotonic()
    with mock.patch.object(connection, "ensure_connection", _unreachable):
        response = post_json(client, event_url_of(tenant_a), call_event("down-2", "created", T0))
    assert time.monotonic() - started < 1
    assert (response.status_code, response.json()["error"]) == (503, "database_unavailable")
    assert (
        post_json(
            client, event_url_of(tenant_a), call_event("down-2", "ringing", T0 + 1)
        ).status_code
        == 200
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
def test_a_closed_postgresql_port_fails_within_a_second(settings):
    """A second connection pointed at a closed port: the real driver error, well under 1 s."""
    from django.db.backends.postgresql.base import DatabaseWrapper

    params = {**connection.settings_dict, "PORT": "1", "NAME": "nowhere"}
    params["OPTIONS"] = {**params.get("OPTIONS", {}), "connect_timeout": 2}
    other = DatabaseWrapper(params, alias="unreachable")
    started = time.monotonic()
    with pytest.raises(OperationalError):
        other.ensure_connection()
    assert time.monotonic() - started < 1


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_the_api_answers_503_not_500_when_the_database_fails(client, tenant_a, error):
    from portal.tests.helpers import jwt_headers

    with mock.patch(
        "portal.api.authentication.verify_rest_token", side_effect=error("connection refused")
    ):
        response = client.get("/api/v1/rules/", headers=jwt_headers(tenant_a))
    assert response.status_code == 503
    assert response.json()["error"] == "database_unavailable"
    assert client.get("/api/v1/rules/", headers=jwt_headers(tenant_a)).status_code == 200


@pytest.mark.django_db(transaction=True)  # the deadline drops the connection, as in production
def test_event_url_answers_503_within_its_deadline_when_the_database_hangs(
    client, tenant_a, settings
):
    settings.WEBHOOK_DATABASE_DEADLINE = 0.3
    post_json(client, event_url_of(tenant_a), call_event("warm", "created"))

    def hung_server():
        time.sleep(10)  # a query whose reply never comes

    started = time.monotonic()
    with failing_fold(hung_server):
        response = post_json(client, event_url_of(tenant_a), call_event("hung-1", "created", T0))
    assert time.monotonic() - started < 2
    assert response.status_code == 503
    assert response.json()["error"] == "database_unavailable"
    retried = post_json(client, event_url_of(tenant_a), call_event("hung-1", "created", T0))
    assert retried.status_code == 200
    assert CallRecord.objects.filter(call_id="hung-1").exists()


def test_the_api_answers_503_within_its_deadline_when_the_database_hangs(
    client, tenant_a, settings
):
    from portal.tests.helpers import jwt_headers

    settings.API_DATABASE_DEADLINE = 0.3

    def hung_server(*args, **kwargs):
        time.sleep(10)

    started = time.monotonic()
    with mock.patch("portal.api.authentication.verify_rest_token", side_effect=hung_server):
        response = client.get("/api/v1/rules/", headers=jwt_headers(tenant_a))
    assert time.monotonic() - started < 2
    assert response.status_code == 503 and response.json()["error"] == "database_unavailable"


@pytest.mark.django_db(transaction=True)  # the connection outlives the request, as in production
def test_an_event_on_a_connection_the_server_dropped_is_stored_at_once(client, tenant_a):
    if connection.vendor != "postgresql":
        pytest.skip("only a server can drop a connection")
    post_json(client, event_url_of(tenant_a), call_event("warm", "created"))  # connection kept
    with pytest.raises(OperationalError), connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")  # as a server restart does
    response = post_json(client, event_url_of(tenant_a), call_event("after", "created", T0))
    assert response.status_code == 200
    assert CallEvent.objects.filter(call_id="after").count() == 1
    assert CallRecord.objects.filter(call_id="after").exists()
