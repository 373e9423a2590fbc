"""The fallback path never waits on the database: error rows are queued and written by a thread."""

import threading
import time

import pytest
from django.db import connection

from routing import webhooks
from routing.error_log import ErrorLogWriter
from routing.models import RoutingErrorLog
from routing.tests.helpers import answer

NO_MATCH = {"from_": "84901234567", "to": "84899100001", "fromInternal": "false", "uuid": "u-1"}


class HungDatabaseWriter(ErrorLogWriter):
    """Its writes block until released, as with a database that stopped answering."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.release = threading.Event()
        self.written: list[dict] = []

    def _write(self, rows: list[dict]) -> bool:
        self.release.wait(10)
        self.written.extend(rows)
        return True


@pytest.mark.django_db
def test_warm_fallback_answers_at_once_with_no_sql_while_the_database_hangs(
    client, tenant_a, monkeypatch, django_assert_num_queries
):
    writer = HungDatabaseWriter()
    monkeypatch.setattr(webhooks, "error_log", writer)
    answer(client, tenant_a, **NO_MATCH)  # warm the route (and park one row behind the hang)
    with django_assert_num_queries(0):
        start = time.monotonic()
        response = answer(client, tenant_a, **{**NO_MATCH, "uuid": "u-2"})
        elapsed = time.monotonic() - start
    assert elapsed < 0.5
    assert response.status_code == 200
    assert response.json() == [{"action": "talk", "text": tenant_a.fallback_message}]
    writer.release.set()
    deadline = time.monotonic() + 5
    while len(writer.written) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [row["call_id"] for row in writer.written] == ["u-1", "u-2"]
    assert "no rule" in writer.written[1]["error"]


class FlakyDatabaseWriter(ErrorLogWriter):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.up = False
        self.written: list[dict] = []

    def _run(self) -> None:  # the test flushes by hand
        pass

    def _write(self, rows: list[dict]) -> bool:
        if self.up:
            self.written.extend(rows)
        return self.up


def _row(n: int) -> dict:
    return {"project_id": 1, "call_id": f"c{n}", "params": {}, "error": "no rule"}


def test_rows_wait_while_the_database_is_down_and_are_written_when_it_returns():
    writer = FlakyDatabaseWriter()
    for n in range(3):
        writer.record(**_row(n))
    assert writer.flush() is False
    assert writer.pending() == 3
    writer.up = True
    assert writer.flush() is True
    assert [row["call_id"] for row in writer.written] == ["c0", "c1", "c2"]
    assert writer.pending() == 0


def test_a_long_outage_keeps_only_the_newest_rows_within_the_bound():
    writer = FlakyDatabaseWriter(max_pending=3)
    for n in range(5):
        writer.record(**_row(n))
    assert writer.flush() is False
    writer.record(**_row(5))
    writer.up = True
    writer.flush()
    assert [row["call_id"] for row in writer.written] == ["c3", "c4", "c5"]


class OneBatchWriter(ErrorLogWriter):
    """Writes one batch from its thread, then closes that thread's connection (test teardown
    drops the database, which PostgreSQL refuses while a connection is open)."""

    def _run(self) -> None:
        self._wakeup.wait()
        time.sleep(self.linger)
        self.flush()
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_the_writer_thread_stores_the_rows(tenant_a):
    writer = OneBatchWriter()
    writer.record(project_id=tenant_a.pk, call_id="c1", params={"from": "a"}, error="no rule")
    deadline = time.monotonic() + 5
    while not RoutingErrorLog.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    log = RoutingErrorLog.objects.get()
    assert (log.project_id, log.call_id, log.params, log.error) == (
        tenant_a.pk,
        "c1",
        {"from": "a"},
        "no rule",
    )
