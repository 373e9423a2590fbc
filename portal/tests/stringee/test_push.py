"""Assignments made true on Stringee: assigning, releasing and rotating a webhook token each send
the number (PUT /v1/number/{id}) from a background job; failures are kept with their reason and
sent again by the periodic upkeep; a web request never waits on Stringee."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from portal import services
from portal.models import StringeeState, VirtualNumber
from portal.stringee import push
from portal.stringee.push import number_push
from portal.stringee.tasks import stringee_upkeep, upkeep_if_due
from portal.tests.factories import ProjectFactory, VirtualNumberFactory
from portal.tests.helpers import jwt_headers
from portal.tests.stringee.fake_stringee import ACCOUNT_SID

pytestmark = pytest.mark.django_db


def in_stock(stringee, number="+84901234567", stringee_id=487) -> VirtualNumber:
    stringee.add_number(stringee_id, number)
    return VirtualNumberFactory(
        number=number, project=None, status="available", stringee_id=stringee_id
    )


def test_assigning_sends_exactly_one_put_with_the_tenants_urls(
    stringee, tenant_a, on_commit_at_once, background_jobs_at_once
):
    in_stock(stringee)
    services.number_assign(number="0901234567", project=tenant_a)
    (put,) = stringee.seen
    assert (put.method, put.path) == ("PUT", "/v1/number/487")
    assert put.body == {
        "project_id": tenant_a.stringee_project_id,
        "answer_url": f"https://portal.example.com/answer_url/{tenant_a.stringee_project_id}/"
        f"{tenant_a.webhook_token}/",
        "event_url": f"https://portal.example.com/event_url/{tenant_a.stringee_project_id}/"
        f"{tenant_a.webhook_token}/",
    }
    assert put.claims["iss"] == ACCOUNT_SID
    number = VirtualNumber.objects.get()
    assert number.stringee_state == StringeeState.IN_SYNC
    assert number.stringee_sent_at is not None
    assert number.stringee_answer_url == tenant_a.answer_url


def test_releasing_takes_the_number_out_of_service_on_stringee(
    stringee, tenant_a, on_commit_at_once, background_jobs_at_once
):
    number = in_stock(stringee)
    services.number_assign(number=number.number, project=tenant_a)
    services.number_release(number=VirtualNumber.objects.get(), days=0)
    put = stringee.puts()[-1]
    assert put.body == {"answer_url": "", "event_url": ""}
    assert stringee.numbers[487]["answer_url"] == ""
    assert VirtualNumber.objects.get().stringee_state == StringeeState.IN_SYNC


def test_rotating_the_webhook_token_sends_each_number_its_new_urls(
    stringee, tenant_a, tenant_b, on_commit_at_once, background_jobs_at_once
):
    for i in range(3):
        stringee.add_number(500 + i, f"+8490100000{i}")
        VirtualNumberFactory(number=f"+8490100000{i}", project=tenant_a, stringee_id=500 + i)
    stringee.add_number(600, "+84902000000")
    VirtualNumberFactory(number="+84902000000", project=tenant_b, stringee_id=600)
    services.project_rotate_webhook_token(project=tenant_a)
    tenant_a.refresh_from_db()
    puts = stringee.puts()
    assert sorted(p.path for p in puts) == [f"/v1/number/{500 + i}" for i in range(3)]
    assert {p.body["answer_url"] for p in puts} == {tenant_a.answer_url}
    assert tenant_a.webhook_token in tenant_a.answer_url


def test_the_admin_and_the_api_return_at_once_while_stringee_hangs(
    stringee, tenant_a, admin_client, client, on_commit_at_once
):
    stringee.delay = 3
    in_stock(stringee, "+84901234567", 487)
    in_stock(stringee, "+84901234568", 488)
    started = time.monotonic()
    response = client.post(
        "/api/v1/numbers/purchase/",
        {"number": "+84901234567"},
        content_type="application/json",
        headers=jwt_headers(tenant_a),
    )
    assert response.status_code == 201
    assert response.json()["stringee_state"] == "pending"
    admin_client.post(
        "/admin/portal/virtualnumber/",
        {
            "action": "assign_to_project",
            "_selected_action": [VirtualNumber.objects.get(number="+84901234568").pk],
            "project": tenant_a.pk,
            "apply": "1",
        },
    )
    assert time.monotonic() - started < 1
    assert stringee.seen == []
    assert DBTaskResult.objects.filter(task_path__endswith="push_number").count() == 2
    stringee.delay = 0


def test_a_busy_stringee_leaves_the_number_failed_with_the_reason_then_upkeep_sends_it(
    stringee, tenant_a, on_commit_at_once, background_jobs_at_once
):
    in_stock(stringee)
    stringee.fail_with = [503, 503, 503]
    services.number_assign(number="+84901234567", project=tenant_a)
    number = VirtualNumber.objects.get()
    assert len(stringee.seen) == 3
    assert number.stringee_state == StringeeState.FAILED
    assert number.stringee_error == "busy"
    assert number.project == tenant_a  # the assignment itself stands
    stringee_upkeep.call()
    number.refresh_from_db()
    assert number.stringee_state == StringeeState.IN_SYNC
    assert stringee.numbers[487]["answer_url"] == tenant_a.answer_url


def test_a_job_lost_with_its_worker_is_sent_by_the_upkeep(stringee, tenant_a, on_commit_at_once):
    in_stock(stringee)
    services.number_assign(number="+84901234567", project=tenant_a)  # queued, never run
    number = VirtualNumber.objects.get()
    assert number.stringee_state == StringeeState.PENDING
    stringee_upkeep.call()
    number.refresh_from_db()
    assert number.stringee_state == StringeeState.PENDING  # may still be in the queue
    VirtualNumber.objects.update(stringee_asked_at=timezone.now() - timedelta(minutes=10))
    stringee_upkeep.call()
    number.refresh_from_db()
    assert number.stringee_state == StringeeState.IN_SYNC
    assert len(stringee.puts()) == 1


def test_a_send_for_an_older_request_does_not_mark_a_newer_one_done(
    stringee, tenant_a, monkeypatch
):
    number = in_stock(stringee)
    services.number_assign(number=number.number, project=tenant_a)
    real_update = push.number_update

    def released_meanwhile(*args, **kwargs):
        real_update(*args, **kwargs)  # Stringee takes the assignment...
        services.number_release(number=VirtualNumber.objects.get(), days=0)  # ...then a release

    monkeypatch.setattr(push, "number_update", released_meanwhile)
    number_push(number_id=number.pk)
    assert VirtualNumber.objects.get().stringee_state == StringeeState.PENDING


def test_a_number_stringee_does_not_list_fails_with_a_reason(stringee, tenant_a):
    number = VirtualNumberFactory(project=tenant_a, stringee_id=None)
    services.numbers_push_request(numbers=VirtualNumber.objects.filter(pk=number.pk))
    number_push(number_id=number.pk)
    number.refresh_from_db()
    assert number.stringee_state == StringeeState.FAILED
    assert number.stringee_error == "not_on_stringee"
    assert stringee.seen == []


def test_without_an_account_assigning_queues_nothing(settings, tenant_a, on_commit_at_once):
    settings.STRINGEE_ACCOUNT_SID = ""
    VirtualNumberFactory(number="+84901234567", project=None, status="available", stringee_id=1)
    services.number_assign(number="+84901234567", project=tenant_a)
    assert VirtualNumber.objects.get().stringee_state == StringeeState.NOT_SENT
    assert not DBTaskResult.objects.exists()
    assert upkeep_if_due() is False


def test_the_upkeep_is_queued_once_per_period(stringee, settings):
    assert upkeep_if_due() is True
    assert upkeep_if_due() is False  # one is waiting
    DBTaskResult.objects.all().delete()
    stringee_upkeep.call()  # a reading just ran
    assert upkeep_if_due() is False
    settings.STRINGEE_SYNC_SECONDS = 0
    assert upkeep_if_due() is True


def test_another_projects_numbers_are_not_sent_on_rotation(
    stringee, on_commit_at_once, background_jobs_at_once
):
    mine, theirs = ProjectFactory(), ProjectFactory()
    stringee.add_number(1, "+84901000001")
    VirtualNumberFactory(number="+84901000001", project=theirs, stringee_id=1)
    services.project_rotate_webhook_token(project=mine)
    assert stringee.seen == []
    assert VirtualNumber.objects.get().stringee_state == StringeeState.NOT_SENT


def test_the_workers_watchdog_queues_the_upkeep(stringee):
    from portal.management.commands.run_worker import housekeeping

    housekeeping()
    assert DBTaskResult.objects.filter(task_path__endswith="stringee_upkeep").count() == 1
    housekeeping()
    assert DBTaskResult.objects.filter(task_path__endswith="stringee_upkeep").count() == 1
    assert stringee.seen == []  # the watchdog only queues; the job talks to Stringee
