"""Reading a project's call log from the fake Stringee (`stringee_reconcile`, the worker's job):
every page with `search_after[]`, the project's own token and the span asked, and a clear failure
— with nothing written — when Stringee refuses the key, is busy, fails or does not answer."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from calls.models import CallEvent, CallLogCheck, CallRecord
from portal.stringee.call_log import project_call_log, read_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def known(stringee, tenant_a, tenant_b):
    """The fake knows both tenants' API keys."""
    for project in (tenant_a, tenant_b):
        stringee.add_project(project.api_key_sid, project.api_key_secret)
    return stringee


def calls_of(stringee, project, n, start_ms):
    return [
        stringee.add_call(
            id=f"call-{project.pk}-{i:04d}",
            project_id=project.stringee_project_id,
            start_time=start_ms + i * 1000,
            stop_time=start_ms + i * 1000 + 20_000,
            answer_time=start_ms + i * 1000 + 5_000,
            amount=880,
        )
        for i in range(n)
    ]


def now_ms(minutes_ago: int = 60) -> int:
    return int((timezone.now() - timedelta(minutes=minutes_ago)).timestamp() * 1000)


def test_250_calls_are_read_over_3_pages_with_search_after(known, tenant_a):
    calls_of(known, tenant_a, 250, now_ms())
    rows = project_call_log(
        tenant_a, since=timezone.now() - timedelta(hours=24), until=timezone.now()
    )
    assert len(rows) == 250
    assert len({row.call_id for row in rows}) == 250
    requests = known.call_log_requests()
    assert len(requests) == 3
    assert "search_after[]" not in requests[0].query
    last_of_first = sorted(known.call_log, key=lambda r: (r["start_time"], r["id"]))[99]
    assert requests[1].query["search_after[]"] == [
        str(last_of_first["start_time"]),
        last_of_first["id"],
    ]
    for request in requests:
        assert request.query["version"] == "2"
        assert request.query["limit"] == "100"
        assert int(request.query["to_created_time"]) - int(
            request.query["from_created_time"]
        ) == pytest.approx(24 * 3600, abs=2)


def test_the_call_log_is_read_with_the_projects_own_token(known, tenant_a):
    calls_of(known, tenant_a, 1, now_ms())
    project_call_log(tenant_a, since=timezone.now() - timedelta(hours=1), until=timezone.now())
    (request,) = known.call_log_requests()
    assert request.claims["iss"] == tenant_a.api_key_sid
    assert request.claims["rest_api"] is True
    assert request.header["cty"] == "stringee-api;v=1"


def test_a_url_encoded_number_and_a_decimal_charge_are_read_exactly():
    row = read_row(
        {
            "id": "call-1",
            "project_id": "42",
            "from_number": "%2B84912345678",
            "to_number": "842473000111",
            "amount": 1234.5,
            "start_time": 1_765_000_000_000,
            "stop_time": 1_765_000_030_000,
            "answer_time": 0,
            "recorded": "1",
        }
    )
    assert row.from_number == "+84912345678"
    assert row.amount == Decimal("1234.5")
    assert row.answer_ms is None
    assert row.recorded is True
    assert row.project_id == 42


def test_the_command_fills_the_tenants_calls_and_says_what_it_did(known, tenant_a, tenant_b):
    calls_of(known, tenant_a, 3, now_ms())
    out = StringIO()
    call_command(
        "stringee_reconcile",
        "--since",
        "24h",
        "--project",
        str(tenant_a.stringee_project_id),
        stdout=out,
    )
    assert CallRecord.objects.filter(project=tenant_a).count() == 3
    assert CallRecord.objects.filter(project=tenant_b).count() == 0
    assert "3 calls in Stringee's log, 3 added" in out.getvalue()
    record = CallRecord.objects.get(project=tenant_a, call_id=f"call-{tenant_a.pk}-0000")
    assert record.amount == Decimal("880")
    assert record.status == "answered"
    assert record.talk_seconds == 15


@pytest.mark.parametrize("since", ["90m", "24h", "7d"])
def test_since_takes_minutes_hours_and_days(known, tenant_a, since):
    call_command("stringee_reconcile", "--since", since, stdout=StringIO())
    request = known.call_log_requests()[0]
    span = int(request.query["to_created_time"]) - int(request.query["from_created_time"])
    expected = {"90m": 90 * 60, "24h": 24 * 3600, "7d": 7 * 86400}[since]
    assert span == pytest.approx(expected, abs=2)


def test_a_since_it_cannot_read_is_refused_in_one_line(known):
    with pytest.raises(CommandError, match="90m, 24h or 7d"):
        call_command("stringee_reconcile", "--since", "yesterday")


def _nothing_written(project) -> None:
    assert CallRecord.objects.filter(project=project).count() == 0
    assert CallEvent.objects.filter(project=project).count() == 0


def test_a_refused_project_key_exits_non_zero_with_the_reason(known, tenant_a):
    calls_of(known, tenant_a, 3, now_ms())
    known.project_keys[tenant_a.api_key_sid] = "another secret of another key 0123456789"
    with pytest.raises(CommandError, match="API key SID or secret"):
        call_command("stringee_reconcile", "--project", str(tenant_a.stringee_project_id))
    _nothing_written(tenant_a)
    check = CallLogCheck.objects.get(project=tenant_a)
    assert (check.ok, check.error) == (False, "bad_project_key")


@pytest.mark.parametrize(
    ("statuses", "reason"),
    [([429, 429, 429], "busy"), ([500, 502, 500], "failed on its side")],
)
def test_a_busy_or_failing_stringee_exits_non_zero_and_writes_nothing(
    known, tenant_a, settings, statuses, reason
):
    settings.STRINGEE_ATTEMPTS = 3
    calls_of(known, tenant_a, 3, now_ms())
    known.fail_with = list(statuses)
    with pytest.raises(CommandError, match=reason):
        call_command("stringee_reconcile", "--project", str(tenant_a.stringee_project_id))
    _nothing_written(tenant_a)


def test_a_failure_on_the_third_page_leaves_nothing_half_written(known, tenant_a, settings):
    settings.STRINGEE_ATTEMPTS = 1
    calls_of(known, tenant_a, 250, now_ms())
    original = known._call_log

    def third_page_fails(request):
        if len(known.call_log_requests()) == 3:
            known.fail_with = [503]
            return known(request)
        return original(request)

    known._call_log = third_page_fails
    with pytest.raises(CommandError, match="busy"):
        call_command("stringee_reconcile", "--project", str(tenant_a.stringee_project_id))
    _nothing_written(tenant_a)


def test_no_answer_exits_non_zero_with_the_reason(known, tenant_a, settings):
    settings.STRINGEE_ATTEMPTS = 1
    settings.STRINGEE_READ_TIMEOUT = 0.2
    known.delay = 0.5
    with pytest.raises(CommandError, match="did not answer in time"):
        call_command("stringee_reconcile", "--project", str(tenant_a.stringee_project_id))
    _nothing_written(tenant_a)


def test_the_workers_job_reads_each_tenants_log_and_keeps_each_to_itself(
    known, tenant_a, tenant_b, background_jobs_at_once
):
    from calls.tasks import read_call_logs

    calls_of(known, tenant_a, 2, now_ms())
    calls_of(known, tenant_b, 3, now_ms(30))
    read_call_logs.enqueue()  # the fake answers every token with all rows, both tenants' too
    assert set(CallRecord.objects.filter(project=tenant_a).values_list("call_id", flat=True)) == {
        f"call-{tenant_a.pk}-0000",
        f"call-{tenant_a.pk}-0001",
    }
    assert CallRecord.objects.filter(project=tenant_b).count() == 3
    checks = {c.project_id: c for c in CallLogCheck.objects.all()}
    assert (checks[tenant_a.pk].added, checks[tenant_a.pk].ignored) == (2, 3)
    assert (checks[tenant_b.pk].added, checks[tenant_b.pk].ignored) == (3, 2)
    issuers = {r.claims["iss"] for r in known.call_log_requests()}
    assert issuers == {tenant_a.api_key_sid, tenant_b.api_key_sid}
