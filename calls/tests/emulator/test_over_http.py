"""The emulator over real HTTP: a running portal (pytest-django's live server) gets the call as it
would get it from Stringee, signed, and logs it as a test call."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from calls.emulator import CallSetup, Emulator
from calls.emulator.project import portal_for
from calls.models import CallRecord
from portal.devtools import demo
from portal.models import Project, SigningMode, WebhookSignatureFailure

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _patient_database(settings):
    settings.ROUTING_DATABASE_DEADLINE = 5
    settings.WEBHOOK_DATABASE_DEADLINE = 5


def test_a_signed_hotline_call_over_http_lands_in_the_call_log(live_server, settings):
    settings.PUBLIC_BASE_URL = "https://portal.example"  # what the SCCOs name; sent to the server
    call_command("seed_demo", stdout=StringIO())
    project = Project.objects.get(stringee_project_id=demo.DEMO_PROJECT_ID)
    project.signing_secret, project.signing_mode = "s3cret", SigningMode.ENFORCE
    project.save()
    emulator = Emulator(portal_for(project, live_server.url))
    run = emulator.start(CallSetup(from_="user_1", to="hotline", app=True))
    run = emulator.resume(run.state, keys="1")
    assert run.need and run.need["target"]["number"] == "user_1"
    run = emulator.resume(run.state, outcome="answered")
    requests = [step["http"] for step in run.steps if step["http"]]
    assert requests and all(r["status"] == 200 for r in requests)
    assert all(r["url"].startswith(live_server.url) for r in requests)
    assert not WebhookSignatureFailure.objects.exists()
    record = CallRecord.objects.get(project=project, call_id=run.call_id)
    assert record.is_test and record.status == "answered" and record.talk_seconds > 30
