"""Warm routing survives the database: with PostgreSQL down or hung, a worker's last good copy of
a project answers the answer_url, whatever Redis lost before (stale-if-error, bounded, logged);
no answer_url waits on the database longer than its deadline."""

import logging
import time
from contextlib import contextmanager

import pytest
from django.core.cache import cache
from django.db import OperationalError, connection

from calls.tests.factories import call_event, event_url_of, post_json
from portal.tests.factories import AppUserFactory
from portal.webhooks.local_copies import local_copies
from routing.tests.helpers import answer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_at_once")]
APP_CALL = {"from_": "alice", "to": "bob", "fromInternal": "true"}
CONNECT_BOB = {"type": "internal", "number": "bob", "alias": "bob"}


@pytest.fixture
def bob(tenant_a):
    return AppUserFactory(project=tenant_a, user_id="bob")


@contextmanager
def database(failure):
    """Every statement fails the way `failure()` does (raises, or never returns)."""

    def wrapper(execute, sql, params, many, context):
        failure()
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield


def down():
    raise OperationalError("connection refused")


def hung():
    time.sleep(10)  # a reply that never comes


def redis_restarted_and_copies_expired():
    """Redis came back empty and this worker's own copies have expired (or its listener
    resubscribed, which drops them all)."""
    cache.clear()
    local_copies.clear()


def connects_bob(response) -> bool:
    return response.status_code == 200 and response.json()[0].get("to") == CONNECT_BOB


def test_a_stopped_database_after_redis_lost_everything_is_answered_from_the_last_good_copy(
    client, tenant_a, bob, caplog
):
    assert connects_bob(answer(client, tenant_a, **APP_CALL))
    redis_restarted_and_copies_expired()
    with database(down), caplog.at_level(logging.WARNING, logger="portal.webhooks.door"):
        responses = [answer(client, tenant_a, **APP_CALL) for _ in range(12)]
    assert all(connects_bob(response) for response in responses)
    (line,) = [r.getMessage() for r in caplog.records if r.name == "portal.webhooks.door"]
    assert f"Routing project {tenant_a.stringee_project_id} from this process's copy" in line


def test_a_table_less_entry_left_by_the_event_url_does_not_hide_the_last_good_table(
    client, tenant_a, bob
):
    assert connects_bob(answer(client, tenant_a, **APP_CALL))
    redis_restarted_and_copies_expired()
    # The event_url, first after the restart, caches the project without its table.
    assert post_json(client, event_url_of(tenant_a), call_event("c1", "created")).status_code == 200
    with database(down):
        assert connects_bob(answer(client, tenant_a, **APP_CALL))


@pytest.mark.django_db(transaction=True)  # the deadline drops the connection, as in production
def test_a_hung_database_costs_the_answer_url_its_deadline_at_most(client, tenant_a, bob, settings):
    settings.ROUTING_DATABASE_DEADLINE = 0.2
    assert connects_bob(answer(client, tenant_a, **APP_CALL))
    redis_restarted_and_copies_expired()
    with database(hung):
        started = time.monotonic()
        first = answer(client, tenant_a, **APP_CALL)
        first_seconds = time.monotonic() - started
        started = time.monotonic()
        later = [answer(client, tenant_a, **APP_CALL) for _ in range(5)]
        later_seconds = time.monotonic() - started
    assert connects_bob(first) and all(connects_bob(response) for response in later)
    assert first_seconds < 0.6
    assert later_seconds < 0.3  # the database is asked again only after a while, not per call


def test_with_no_copy_at_all_a_stopped_database_is_a_503_not_a_guess(client, tenant_a, bob):
    with database(down):
        response = answer(client, tenant_a, **APP_CALL)
    assert response.status_code == 503
    assert response.json()["error"] == "routing_unavailable"


def test_a_copy_older_than_the_stale_limit_is_not_used(client, tenant_a, bob, settings):
    settings.ROUTING_STALE_SECONDS = 0
    assert connects_bob(answer(client, tenant_a, **APP_CALL))
    redis_restarted_and_copies_expired()
    with database(down):
        response = answer(client, tenant_a, **APP_CALL)
    assert response.status_code == 503


def test_once_the_database_is_back_a_change_is_served(client, tenant_a, bob, settings):
    assert connects_bob(answer(client, tenant_a, **APP_CALL))
    redis_restarted_and_copies_expired()
    with database(down):
        assert connects_bob(answer(client, tenant_a, **APP_CALL))
    bob.is_active = False
    bob.save()  # dropped everywhere: the next call reads the database again
    assert not connects_bob(answer(client, tenant_a, **APP_CALL))
