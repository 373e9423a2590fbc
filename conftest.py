"""Fixtures shared by every app's tests: two tenants and staff clients for them."""

import pytest
from django.core.cache import cache
from django.db import connection

from portal.models import Membership
from portal.tests.factories import MembershipFactory, ProjectFactory
from routing.local_routes import local_routes


@pytest.fixture(autouse=True)
def _empty_cache():
    local_routes.clear()
    cache.clear()
    yield
    local_routes.clear()
    cache.clear()


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
