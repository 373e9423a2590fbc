"""With Redis stopped or hung, webhooks and the API keep answering, from worker copies and the
database."""

import socket
import time

import pytest

from calls.models import CallEvent
from calls.tests.factories import call_event, event_url_of, post_json
from portal.devtools.stack import free_port
from portal.tests.factories import AppUserFactory
from portal.tests.helpers import jwt_headers, redis_cache
from portal.webhooks.local_copies import LocalCopies
from routing.state import LiveState
from routing.tests.helpers import answer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_at_once")]
APP_CALL = {"from_": "alice", "to": "bob", "fromInternal": "true"}
CONNECT_BOB = {"type": "internal", "number": "bob", "alias": "bob"}
WITHIN_SECONDS = 1.0
TIMEOUT = 0.1  # Redis connect and socket timeouts


@pytest.fixture(params=["stopped", "hung"])
def redis_down(request, settings):
    """The cache is django-redis as settings.py sets it up, on a closed port or on a port that
    accepts and never answers."""
    hung = None
    if request.param == "stopped":
        port = free_port()
    else:
        hung = socket.socket()
        hung.bind(("127.0.0.1", 0))
        hung.listen(64)  # the kernel completes connections nobody reads from
        port = hung.getsockname()[1]
    settings.CACHES = redis_cache(f"redis://127.0.0.1:{port}/0", timeout=TIMEOUT)
    yield request.param
    if hung is not None:
        hung.close()


@pytest.fixture
def bob(tenant_a):
    return AppUserFactory(project=tenant_a, user_id="bob")


def timed(send):
    start = time.monotonic()
    response = send()
    assert time.monotonic() - start < WITHIN_SECONDS
    return response


def test_answer_url_routes_cold_from_the_database_then_warm_from_the_worker_copy(
    client, redis_down, tenant_a, bob, django_assert_num_queries
):
    with django_assert_num_queries(2):
        cold = timed(lambda: answer(client, tenant_a, **APP_CALL))
    with django_assert_num_queries(0):
        warm = timed(lambda: answer(client, tenant_a, **APP_CALL))
    for response in (cold, warm):
        assert response.status_code == 200
        assert response.json()[0]["action"] == "connect"
        assert response.json()[0]["to"] == CONNECT_BOB


def test_warm_answer_url_answers_call_after_call_without_waiting_on_redis(
    client, redis_down, tenant_a, bob
):
    answer(client, tenant_a, callId="c0", **APP_CALL)  # cold, from the database; Redis fails
    started = time.monotonic()
    for index in range(1, 21):
        response = answer(client, tenant_a, callId=f"c{index}", **APP_CALL)
        assert response.status_code == 200
        assert response.json()[0]["to"] == CONNECT_BOB
    # Each call would wait TIMEOUT at least (parking its decision) if Redis were asked every time.
    assert time.monotonic() - started < 10 * TIMEOUT


def test_a_change_made_in_this_worker_drops_its_copy_without_redis(
    client, redis_down, tenant_a, bob
):
    assert answer(client, tenant_a, **APP_CALL).json()[0]["action"] == "connect"
    bob.is_active = False
    bob.save()
    assert timed(lambda: answer(client, tenant_a, **APP_CALL)).json()[0]["action"] == "talk"


def test_event_url_stores_the_event(client, redis_down, tenant_a):
    response = timed(lambda: post_json(client, event_url_of(tenant_a), call_event("c1", "created")))
    assert (response.status_code, response.json()) == (200, {"ok": True})
    assert CallEvent.objects.filter(project=tenant_a, call_id="c1").exists()


def test_api_list_answers_despite_its_throttle_cache(client, redis_down, tenant_a, bob):
    response = timed(lambda: client.get("/api/v1/users/", headers=jwt_headers(tenant_a)))
    assert response.status_code == 200
    assert [user["user_id"] for user in response.json()["results"]] == ["bob"]


def test_round_robin_pointer_starts_at_the_first_member(redis_down):
    assert timed(lambda: LiveState().round_robin_start(group_id=1, size=3)) == 0


def test_a_worker_whose_listener_cannot_subscribe_still_serves_and_drops_its_own_copies(redis_down):
    routes = LocalCopies()
    _, generation = routes.get(5)  # first use starts the listener, which cannot subscribe
    routes.put(5, "routing table", generation)
    time.sleep(0.3)
    assert routes._listening is False
    assert routes.get(5)[0] == "routing table"
    timed(lambda: routes.drop([5]))  # the announcement fails; this worker's copy goes anyway
    assert routes.get(5)[0] is None
