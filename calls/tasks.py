"""The calls app's background jobs (django-tasks; run by `manage.py run_worker`): copy one
recording's audio into the portal (calls.copies)."""

from __future__ import annotations

from django_tasks import task

from calls.copies import recording_copy


@task()
def copy_recording(recording_id: int) -> str:
    """Copy one recording from Stringee into the portal's storage (its row keeps the outcome)."""
    return recording_copy(recording_id=recording_id)
