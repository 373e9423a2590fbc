"""Masked calls: participants reach each other through the proxy number; nobody else does."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.api.authentication import make_rest_token
from portal.tests.factories import AppUserFactory
from routing.engine.masking import ENDED_MESSAGE, STRANGER_MESSAGE
from routing.models import MaskingBinding, MaskingSession, RoutingErrorLog
from routing.services import masking
from routing.tests.helpers import answer
from routing.tests.masking_helpers import DRIVER, RIDER, add_pool, api_post, open_session

pytestmark = pytest.mark.django_db
PROXY = "+84899100001"


@pytest.fixture
def pool(tenant_a):
    return add_pool(tenant_a, PROXY)


def phone_call(client, project, caller: str, callee: str = PROXY):
    return answer(
        client,
        project,
        from_=caller.lstrip("+"),
        to=callee.lstrip("+"),
        fromInternal="false",
        uuid="u-1",
    )


def test_caller_a_reaches_b_and_b_sees_the_proxy_number(client, tenant_a, pool):
    open_session(tenant_a)
    scco = phone_call(client, tenant_a, DRIVER).json()
    assert scco == [
        {
            "action": "connect",
            "from": {"type": "external", "number": "84901111111", "alias": "84899100001"},
            "to": {"type": "external", "number": "84902222222", "alias": "84902222222"},
        }
    ]


def test_b_calling_the_proxy_reaches_a_the_same_way(client, tenant_a, pool):
    open_session(tenant_a)
    connect = phone_call(client, tenant_a, RIDER).json()[0]
    assert connect["to"]["number"] == "84901111111"
    assert connect["from"]["alias"] == "84899100001"


def test_app_user_participant_calls_from_the_app_and_is_rung_in_the_app(client, tenant_a, pool):
    AppUserFactory(project=tenant_a, user_id="driver_7")
    open_session(tenant_a, a="driver_7", b=RIDER)
    from_app = answer(
        client, tenant_a, from_="driver_7", to="84899100001", fromInternal="true", userId="driver_7"
    ).json()[0]
    assert from_app["from"] == {"type": "internal", "number": "84899100001", "alias": "84899100001"}
    assert from_app["to"]["number"] == "84902222222"
    to_app = phone_call(client, tenant_a, RIDER).json()[0]
    assert to_app["to"] == {"type": "internal", "number": "driver_7", "alias": "84899100001"}


def test_stranger_hears_a_message_and_is_not_connected(client, tenant_a, pool):
    open_session(tenant_a)
    scco = phone_call(client, tenant_a, "+84903333333").json()
    assert scco == [{"action": "talk", "text": STRANGER_MESSAGE, "bargeIn": False}]
    assert not RoutingErrorLog.objects.exists()  # a stranger is not a routing failure


def test_expired_session_no_longer_connects(client, tenant_a, pool):
    session = open_session(tenant_a)
    MaskingSession.objects.filter(pk=session.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    scco = phone_call(client, tenant_a, DRIVER).json()
    assert scco == [{"action": "talk", "text": ENDED_MESSAGE, "bargeIn": False}]


def test_closed_session_no_longer_connects(client, tenant_a, pool):
    session = open_session(tenant_a)
    api_post(client, tenant_a, f"/api/v1/masking-sessions/{session.pk}/close/")
    scco = phone_call(client, tenant_a, RIDER).json()
    assert [action["action"] for action in scco] == ["talk"]
    assert scco[0]["text"] == ENDED_MESSAGE


def test_masked_call_costs_one_query_warm(client, tenant_a, pool, django_assert_num_queries):
    open_session(tenant_a)
    phone_call(client, tenant_a, DRIVER)  # warms the project and routing table caches
    with django_assert_num_queries(1):
        phone_call(client, tenant_a, DRIVER)


def test_api_creates_lists_and_closes_sessions(client, tenant_a, pool):
    created = api_post(
        client,
        tenant_a,
        "/api/v1/masking-sessions/",
        {"participant_a": "0901111111", "participant_b": RIDER},
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["proxy"], body["a_address"], body["is_open"]) == (PROXY, DRIVER, True)
    listed = client.get(
        "/api/v1/masking-sessions/", HTTP_X_STRINGEE_AUTH=make_rest_token(tenant_a)
    ).json()
    assert [row["id"] for row in listed["results"]] == [body["id"]]
    closed = api_post(client, tenant_a, f"/api/v1/masking-sessions/{body['id']}/close/").json()
    assert closed["is_open"] is False
    assert not MaskingBinding.objects.filter(active=True).exists()


def test_pool_exhausted_is_a_409(client, tenant_a, pool):
    open_session(tenant_a, a=DRIVER, b=RIDER)
    response = api_post(
        client,
        tenant_a,
        "/api/v1/masking-sessions/",
        {"participant_a": DRIVER, "participant_b": "+84903333333"},
    )
    assert response.status_code == 409
    assert response.json()["error"] == "masking_pool_exhausted"


def test_second_pool_number_serves_a_participant_already_bound_on_the_first(tenant_a):
    add_pool(tenant_a, PROXY, "+84899100002")
    first = open_session(tenant_a, a=DRIVER, b=RIDER)
    second = open_session(tenant_a, a=DRIVER, b="+84903333333")
    assert first.proxy_id != second.proxy_id


def test_expired_session_frees_its_number_for_the_next_creation(tenant_a, pool):
    old = open_session(tenant_a)
    MaskingSession.objects.filter(pk=old.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    new = open_session(tenant_a)
    old.refresh_from_db()
    assert old.closed_at is not None
    assert new.proxy_id == old.proxy_id


def test_unknown_app_user_is_refused_as_a_participant(client, tenant_a, pool):
    response = api_post(
        client,
        tenant_a,
        "/api/v1/masking-sessions/",
        {"participant_a": "ghost", "participant_b": RIDER},
    )
    assert response.status_code == 400
    with pytest.raises(masking.BadParticipant):
        masking.participant(tenant_a, "ghost")


def test_another_tenants_session_is_404_and_not_closed(client, tenant_a, tenant_b, pool):
    add_pool(tenant_b, "+84899200002")
    theirs = open_session(tenant_b)
    assert (
        api_post(client, tenant_a, f"/api/v1/masking-sessions/{theirs.pk}/close/").status_code
        == 404
    )
    theirs.refresh_from_db()
    assert theirs.closed_at is None


def test_database_refuses_a_second_active_binding_of_a_participant_on_a_number(tenant_a, pool):
    from django.db import IntegrityError, transaction

    session = open_session(tenant_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        MaskingBinding.objects.create(
            session=session,
            proxy=pool[0],
            kind="phone",
            address=DRIVER,
            peer_kind="phone",
            peer_address="+84903333333",
        )
