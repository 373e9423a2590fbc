"""Fixtures shared by every app's tests: two tenants and staff clients for them."""

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
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


@pytest.fixture
def on_commit_at_once(monkeypatch):
    """Tests run inside a transaction that never commits: run on-commit work (the routing-table
    rebuild, queuing an export) where the commit would have run it."""
    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())


@pytest.fixture(autouse=True)
def _routing_errors_written_in_the_tests_thread(monkeypatch):
    """Isolation, not convenience: the shared routing error log's writer thread would write into
    the test database beside the test's own connection (on SQLite's shared in-memory database
    that locks tables under other tests) and could not see the test's uncommitted rows anyway.
    The shared log writes in the test's own thread instead; the writer's thread is tested with
    writers of its own (routing/tests/webhooks/test_error_log.py)."""
    monkeypatch.setattr(error_log, "background", False)


@pytest.fixture
def background_jobs_at_once(settings):
    """Background jobs (exports) run at once, in the test's own thread and transaction."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _exports_into_tmp(settings, tmp_path_factory):
    """Export files and copies of recordings go to throw-away directories, never the
    checkout's."""
    settings.STORAGES = {
        **settings.STORAGES,
        "exports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path_factory.mktemp("exports")},
        },
        "recordings": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path_factory.mktemp("recordings")},
        },
    }


@pytest.fixture(autouse=True)
def _force_login_passes_the_second_factor(request, monkeypatch):
    """`client.force_login(user)` (and pytest-django's `admin_client`) stands for a person who
    has passed both steps of signing in: the user gets an authenticator app and the session
    counts as verified by it, as django-otp's `login()` leaves it. Tests of the second factor
    itself are marked `password_only` and sign in without it."""
    if request.node.get_closest_marker("password_only"):
        return
    from portal.devtools.second_factor import mark_verified

    signed_in = Client.force_login

    def force_login(self, user, backend=None):
        signed_in(self, user, backend)
        mark_verified(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


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
