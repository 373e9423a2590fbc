"""One cache entry serves the answer_url and the event_url, and one invalidation drops both
views."""

import time

import pytest
from django.core.cache import cache

from calls.models import CallEvent
from calls.tests.factories import call_event, event_url_of, post_json
from portal.tests.factories import AppUserFactory
from portal.webhooks import door
from portal.webhooks.local_copies import local_copies
from routing import cache as tables
from routing.tests.helpers import answer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_at_once")]
APP_CALL = {"from_": "alice", "to": "bob", "fromInternal": "true"}


@pytest.fixture
def bob(tenant_a):
    return AppUserFactory(project=tenant_a, user_id="bob")


def _cached(project) -> bool:
    sid = project.stringee_project_id
    return cache.get(door.cache_key(sid)) is not None or local_copies.get(sid)[0] is not None


def test_a_new_webhook_token_refuses_the_old_one_on_answer_url_and_event_url_at_once(
    client, tenant_a, bob
):
    old = tenant_a.webhook_token
    assert answer(client, tenant_a, **APP_CALL).status_code == 200  # both views now warm
    assert post_json(client, event_url_of(tenant_a), call_event("c1", "created")).status_code == 200

    tenant_a.webhook_token = "a-brand-new-token-0123456789"
    tenant_a.save()

    assert answer(client, tenant_a, token=old, **APP_CALL).status_code == 403
    stale_event = post_json(
        client, f"/event_url/{tenant_a.stringee_project_id}/{old}/", call_event("c2", "created")
    )
    assert stale_event.status_code == 403
    assert answer(client, tenant_a, **APP_CALL).json()[0]["action"] == "connect"
    assert post_json(client, event_url_of(tenant_a), call_event("c3", "created")).status_code == 200
    assert set(CallEvent.objects.values_list("call_id", flat=True)) == {"c1", "c3"}


def test_invalidate_drops_the_entry_the_event_url_and_the_answer_url_share(
    client, tenant_a, tenant_b, bob
):
    answer(client, tenant_a, **APP_CALL)
    answer(client, tenant_b, **APP_CALL)
    assert _cached(tenant_a) and _cached(tenant_b)
    tables.invalidate(tenant_a.pk)
    assert not _cached(tenant_a)
    assert _cached(tenant_b)  # the other tenant keeps its entry


def test_event_url_loads_only_the_project_when_cold(tenant_a, bob, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert (
            door.project_for_webhook(tenant_a.stringee_project_id, tenant_a.webhook_token)
            == tenant_a
        )
    with django_assert_num_queries(1):  # the answer_url then adds only the table
        project, table = tables.route_entry(tenant_a.stringee_project_id)
    assert (project, table.project_id) == (tenant_a, tenant_a.pk)
    with django_assert_num_queries(0):
        tables.route_entry(tenant_a.stringee_project_id)
        door.project_for_webhook(tenant_a.stringee_project_id, tenant_a.webhook_token)


def test_event_url_filling_a_cold_entry_never_hides_a_table_already_cached(tenant_a, bob):
    tables.route_entry(tenant_a.stringee_project_id)
    local_copies.reset()  # another worker: nothing of its own, the shared entry has the table
    door.webhook_project(tenant_a.stringee_project_id)
    assert cache.get(door.cache_key(tenant_a.stringee_project_id))[1] is not None


def test_a_worker_holding_only_the_project_takes_the_table_another_worker_cached(
    tenant_a, bob, django_assert_num_queries
):
    door.webhook_project(tenant_a.stringee_project_id)  # this worker: the event_url's entry
    sid = tenant_a.stringee_project_id
    cache.set(
        door.cache_key(sid), (tenant_a, tables.load_table(tenant_a))
    )  # another worker's answer_url
    with django_assert_num_queries(0):
        assert tables.route_entry(sid)[1].project_id == tenant_a.pk


def _past_the_copies_time(monkeypatch, settings):
    later = time.monotonic() + settings.ROUTING_LOCAL_SECONDS + 1
    monkeypatch.setattr("portal.webhooks.local_copies.time.monotonic", lambda: later)


def test_a_copy_past_its_time_is_renewed_while_the_shared_entry_is_unchanged(
    tenant_a, bob, monkeypatch, settings, django_assert_num_queries
):
    settings.ROUTING_LOCAL_SECONDS = 60
    sid = tenant_a.stringee_project_id
    _, table = tables.route_entry(sid)
    _past_the_copies_time(monkeypatch, settings)
    with django_assert_num_queries(0):
        renewed = tables.route_entry(sid)[1]
    # this worker's own copy, not the shared entry read and unpacked again
    assert renewed is table


def test_a_copy_past_its_time_is_read_again_once_another_worker_changed_the_project(
    tenant_a, bob, monkeypatch, settings
):
    settings.ROUTING_LOCAL_SECONDS = 60
    sid = tenant_a.stringee_project_id
    old = tables.route_entry(sid)
    old_stamp = cache.get(door.stamp_key(sid))
    AppUserFactory(project=tenant_a, user_id="carol")  # the shared entry and its stamp go
    local_copies.reset()
    tables.route_entry(sid)  # another worker caches the new entry, with a new stamp
    # this worker missed the announcement of the change: it still holds the old copy
    local_copies.reset()
    local_copies.put(sid, old, local_copies.get(sid)[1], old_stamp)
    assert "carol" not in old[1].users

    _past_the_copies_time(monkeypatch, settings)

    assert "carol" in tables.route_entry(sid)[1].users


def test_one_read_renews_every_copy_that_is_due(tenant_a, tenant_b, monkeypatch, settings):
    settings.ROUTING_LOCAL_SECONDS = 60
    a, b = tenant_a.stringee_project_id, tenant_b.stringee_project_id
    tables.route_entry(a)
    _, table_b = tables.route_entry(b)
    _past_the_copies_time(monkeypatch, settings)

    tables.route_entry(a)  # a call of tenant A renews B's copy with A's

    assert local_copies.get(b)[0][1] is table_b


def test_a_copy_whose_shared_entry_changed_is_forgotten_by_the_renewal(
    tenant_a, tenant_b, monkeypatch, settings
):
    settings.ROUTING_LOCAL_SECONDS = 60
    a, b = tenant_a.stringee_project_id, tenant_b.stringee_project_id
    tables.route_entry(a)
    tables.route_entry(b)
    cache.set(door.stamp_key(b), 12345)  # another worker wrote tenant B's entry again
    _past_the_copies_time(monkeypatch, settings)

    tables.route_entry(a)

    assert local_copies.renewal_batch(b, 10) == [], "B's copy should be gone, not renewed later"
    assert local_copies.get(a)[0] is not None
