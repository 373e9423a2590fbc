"""Fixtures shared by every app's tests: two tenants and staff clients for them."""

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import translation

from portal.models import Membership
from portal.tests.factories import MembershipFactory, ProjectFactory
from portal.webhooks.local_copies import local_copies
from routing.error_log import error_log

pytest_plugins = ["routing.tests.fixtures"]


def pytest_sessionstart(session):
    """Compile the translations first when a .po is newer than its .mo (a bare `pytest` after
    editing locale/, or a fresh clone that skipped `make install`)."""
    from django.conf import settings
    from django.core.management import call_command

    catalogs = [po for path in settings.LOCALE_PATHS for po in path.glob("*/LC_MESSAGES/*.po")]
    stale = [
        po
        for po in catalogs
        if not po.with_suffix(".mo").exists()
        or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
    ]
    if stale:
        call_command("compilemessages", verbosity=0)


@pytest.fixture(autouse=True)
def _empty_cache():
    local_copies.reset()
    cache.clear()
    yield
    local_copies.reset()
    cache.clear()


@pytest.fixture(autouse=True)
def _english_unless_asked():
    """A request's LocaleMiddleware leaves its language active on the thread (a server's next
    request sets its own); tests start from the default language, whatever ran before."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _commit_hooks_run_at_once(request, monkeypatch):
    """Tests run inside a transaction that never commits; run on-commit work (the routing-table
    rebuild) where the commit would have run it. Tests marked `commit_hooks` capture the hooks
    themselves (django_capture_on_commit_callbacks) to measure what one commit does."""
    if request.node.get_closest_marker("commit_hooks") is None:
        monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())


@pytest.fixture(autouse=True)
def _routing_errors_written_at_once(monkeypatch):
    """The error log's writer thread cannot see a test's uncommitted transaction; write in the
    test's own thread instead (routing/tests/test_error_log.py tests the thread)."""
    monkeypatch.setattr(error_log, "background", False)


@pytest.fixture(autouse=True)
def _exports_at_once_into_tmp(settings, tmp_path_factory):
    """Background jobs run at once, in the test's own thread and transaction (tests of the real
    worker set the database backend themselves); export files go to a throw-away directory."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    location = tmp_path_factory.mktemp("exports")
    settings.STORAGES = {
        **settings.STORAGES,
        "exports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": location},
        },
    }


@pytest.fixture
def tenant_a(db):
    return ProjectFactory(name="Tenant A")


@pytest.fixture
def tenant_b(db):
    return ProjectFactory(name="Tenant B")


@pytest.fixture
def staff_client_for(client):
    """`staff_client_for(project, role)` → a test client logged in as that project's staff."""

    def make(project, role=Membership.Role.OPERATOR):
        membership = MembershipFactory(project=project, role=role)
        client.force_login(membership.user)
        return client

    return make


def pytest_collection_modifyitems(config, items):
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://...")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)
