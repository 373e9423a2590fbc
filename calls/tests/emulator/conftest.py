"""The demo tenant and a second tenant, and emulators pointed at this process's portal."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from calls.emulator import Emulator
from calls.emulator.project import in_process_transport, portal_for
from portal.devtools import demo
from portal.models import Project


@pytest.fixture(autouse=True)
def _patient_database(settings):
    """The portal's database deadlines, made for production's fast path, are lengthened: on a
    busy test machine a slow first query would make the portal answer its fallback instead."""
    settings.ROUTING_DATABASE_DEADLINE = 5
    settings.WEBHOOK_DATABASE_DEADLINE = 5


@pytest.fixture
def demo_project(db, tenant_b):
    """The demo seed (flows 1 to 4 and the hotline menu), beside another tenant."""
    call_command("seed_demo", stdout=StringIO())
    return Project.objects.get(stringee_project_id=demo.DEMO_PROJECT_ID)


@pytest.fixture
def emulator_for():
    """`emulator_for(project)`: Stringee for `project`, answered by this process's portal."""

    def make(project: Project, **options) -> Emulator:
        return Emulator(portal_for(project), transport=in_process_transport(), **options)

    return make
