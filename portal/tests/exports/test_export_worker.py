"""The real worker (`manage.py run_worker`, django-tasks-db's queue) writes a queued export, and
an export whose worker was killed halfway is queued again and written by the next worker."""

import io
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from calls.models import CallRecord
from portal import exports
from portal.models import Export, Membership
from portal.tests.factories import MembershipFactory
from portal.tests.helpers import export_text

ROOT = Path(__file__).resolve().parents[3]
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def queue(settings):
    """Jobs go to the database queue, as in production, and wait there for a worker."""
    settings.TASKS = DATABASE_QUEUE


def _calls(project, count: int) -> None:
    CallRecord.objects.bulk_create(
        CallRecord(project=project, call_id=f"call-{n:06d}", status="answered")
        for n in range(count)
    )


def _ask(project) -> Export:
    user = MembershipFactory(project=project, role=Membership.Role.VIEWER).user
    (export,) = exports.export_request(
        source="calls.callrecord", params={}, selected=None, user=user, language="en"
    )
    return export


def _worker(*args: str) -> None:
    call_command("run_worker", "--no-reload", "--no-startup-delay", *args, stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)
def test_the_worker_writes_a_queued_export(queue, tenant_a):
    _calls(tenant_a, 25)
    export = _ask(tenant_a)
    export.refresh_from_db()
    assert export.status == "waiting" and export.task_id
    assert DBTaskResult.objects.get(id=export.task_id).status == "READY"
    _worker("--batch")
    export.refresh_from_db()
    assert (export.status, export.row_count, export.attempts) == ("ready", 25, 1)
    assert export_text(export).count("\n") == 26  # the header and 25 rows
    assert DBTaskResult.objects.get(id=export.task_id).status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True)
def test_a_job_left_running_by_a_dead_worker_is_written_by_the_next(queue, tenant_a, settings):
    """What a killed worker leaves behind: the job claimed ("running") in the queue and in the
    export, and no heartbeat since. The next worker's start queues it again and writes it."""
    settings.EXPORT_STALLED_SECONDS = 60
    _calls(tenant_a, 10)
    export = _ask(tenant_a)
    export.refresh_from_db()
    lost_task = export.task_id
    long_ago = timezone.now() - timedelta(minutes=3)
    DBTaskResult.objects.filter(id=lost_task).update(status="RUNNING", started_at=long_ago)
    Export.objects.filter(pk=export.pk).update(status="running", attempts=1, heartbeat_at=long_ago)
    _worker("--batch")
    export.refresh_from_db()
    assert (export.status, export.attempts, export.row_count) == ("ready", 2, 10)
    assert export.task_id != lost_task
    assert DBTaskResult.objects.get(id=lost_task).status == "FAILED"
    assert DBTaskResult.objects.get(id=export.task_id).status == "SUCCESSFUL"


def _database_url() -> str:
    params = connection.settings_dict
    user, host = params["USER"] or "postgres", params["HOST"] or "127.0.0.1"
    return f"postgres://{user}@{host}:{params['PORT'] or 5432}/{params['NAME']}"


def _start_worker(env: dict[str, str], *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--no-reload", "--no-startup-delay", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_halfway_leaves_the_job_to_the_next_worker(
    queue, tenant_a, settings, tmp_path
):
    """Two real worker processes on the test database: the first is killed (SIGKILL) while it
    writes; the second, started later, queues the job again and writes the whole file."""
    settings.STORAGES = {
        **settings.STORAGES,
        "exports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }
    _calls(tenant_a, 6000)
    export = _ask(tenant_a)
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": _database_url(),
        "EXPORTS_DIR": str(tmp_path),
        "EXPORT_BATCH_ROWS": "3",  # 2,000 short queries: seconds of work to be killed in
        "EXPORT_STALLED_SECONDS": "1",
    }
    first = _start_worker(env, "--interval", "0.1")
    try:
        deadline = time.monotonic() + 60
        while Export.objects.get(pk=export.pk).status == "waiting":
            assert time.monotonic() < deadline, first.stderr.read() if first.poll() else "slow"
            time.sleep(0.05)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    export.refresh_from_db()
    assert (export.status, export.attempts, export.file) == ("running", 1, "")
    time.sleep(1.5)  # no heartbeat for longer than EXPORT_STALLED_SECONDS
    second = _start_worker(env, "--batch")
    _out, errors = second.communicate(timeout=180)
    assert second.returncode == 0, errors.decode()
    export.refresh_from_db()
    assert (export.status, export.attempts, export.row_count) == ("ready", 2, 6000)
    assert export_text(export).count("\n") == 6001
