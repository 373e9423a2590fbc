"""Creating a project on Stringee (`POST /v1/project`, account token), the worker's side.

Stringee gives the new project its id and API key (`data: {id, …, api_key_sid, api_key}`); the
portal then adds the project with them (the key's secret is stored write-only and never logged).
The project's webhook URLs carry the id Stringee chooses, and Stringee has no call to change a
project's URLs afterwards, so the project is created with its name only: its page shows the two
URLs to paste into Stringee's dashboard, and its numbers get theirs when assigned. A creation is
sent once (a second one would make a second project on Stringee); one whose worker stopped while
asking is failed by the upkeep, to be checked in Stringee's dashboard.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from portal.models import Project, ProjectCreation
from portal.stringee.client import StringeeClient
from portal.stringee.errors import StringeeError

logger = logging.getLogger(__name__)

CREATION_SENDING_SECONDS = 60  # a creation unfinished this long after its claim was interrupted
CREATION_EXPIRY_SECONDS = 600  # a creation no worker took this long after it was asked expires


@dataclass(frozen=True)
class CreatedProject:
    """What Stringee says of a project it created (`api_key` is a secret)."""

    id: int
    api_key_sid: str
    api_key: str


def project_create(client: StringeeClient, *, name: str) -> CreatedProject:
    """Create a project on Stringee (account token); its id and API key."""
    reply = client.request("POST", "/v1/project", json={"name": name})
    data = reply.get("data")
    if not isinstance(data, dict):
        raise StringeeError("bad_reply", "no project in the reply")
    try:
        project_id = int(data.get("id"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise StringeeError("bad_reply", "no project id in the reply") from None
    sid, key = str(data.get("api_key_sid") or ""), str(data.get("api_key") or "")
    if project_id <= 0 or not sid or not key:
        raise StringeeError("bad_reply", "no API key in the reply")
    return CreatedProject(project_id, sid[:64], key[:128])


def creation_send(*, creation_id: int, now: datetime | None = None) -> str:
    """Claim a waiting creation, create the project on Stringee, add it to the portal; the
    state it ends in."""
    now = now or timezone.now()
    claimed = ProjectCreation.objects.filter(
        pk=creation_id, state=ProjectCreation.State.PENDING, sending_since__isnull=True
    ).update(sending_since=now)
    if not claimed:
        return "taken"
    creation = ProjectCreation.objects.get(pk=creation_id)
    mine = ProjectCreation.objects.filter(pk=creation_id, state=ProjectCreation.State.PENDING)
    try:
        with StringeeClient(attempts=1) as client:
            created = project_create(client, name=creation.name)
        with transaction.atomic():
            project = Project.objects.create(
                name=creation.name,
                time_zone=creation.time_zone,
                stringee_project_id=created.id,
                api_key_sid=created.api_key_sid,
                api_key_secret=created.api_key,
            )
    except StringeeError as exc:
        logger.warning("stringee: project %r not created: %s", creation.name, exc.stored)
        mine.update(
            state=ProjectCreation.State.FAILED, error=exc.stored[:300], finished_at=timezone.now()
        )
        return ProjectCreation.State.FAILED
    except IntegrityError:
        logger.warning("stringee: project %s already in the portal", created.id)
        mine.update(
            state=ProjectCreation.State.FAILED,
            error=f"refused: projectId {created.id} is already in the portal",
            finished_at=timezone.now(),
        )
        return ProjectCreation.State.FAILED
    mine.update(state=ProjectCreation.State.CREATED, project=project, finished_at=timezone.now())
    return ProjectCreation.State.CREATED


def creations_recover(*, now: datetime | None = None) -> int:
    """Fail the creations a worker stopped while sending ("interrupted") and those no worker
    took in CREATION_EXPIRY_SECONDS ("expired"); how many."""
    now = now or timezone.now()
    waiting = ProjectCreation.objects.filter(state=ProjectCreation.State.PENDING)
    interrupted = waiting.filter(
        sending_since__lte=now - timedelta(seconds=CREATION_SENDING_SECONDS)
    ).update(state=ProjectCreation.State.FAILED, error="creation_interrupted", finished_at=now)
    expired = waiting.filter(
        sending_since__isnull=True,
        created_at__lte=now - timedelta(seconds=CREATION_EXPIRY_SECONDS),
    ).update(state=ProjectCreation.State.FAILED, error="expired", finished_at=now)
    return interrupted + expired
