"""A project may keep a copy of its recordings in the portal: the worker copies each new one from
Stringee, the player then plays the copy (Range too), a failed copy is tried again and shown to
staff, and the retention deletes the copy's file with its recording."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.storage import storages
from django.core.management import call_command
from django.utils import timezone

from calls.copies import recording_copies_due
from calls.models import CallRecord, CopyStatus, Recording
from calls.tests.factories import post_json, recording_url_of
from portal.models import Membership

pytestmark = pytest.mark.django_db

AUDIO = b"ID3" + bytes(range(256)) * 30


@pytest.fixture
def keeping(stringee, tenant_a, tenant_b, on_commit_at_once, background_jobs_at_once):
    """Tenant A keeps copies, tenant B does not; Stringee has one recording of each."""
    tenant_a.keep_recording_copies = True
    tenant_a.save()
    for project in (tenant_a, tenant_b):
        stringee.project_keys[project.api_key_sid] = project.api_key_secret
    stringee.add_recording("/v1/call/recording/rec-a", AUDIO)
    stringee.add_recording("/v1/call/recording/rec-b", b"b" * 100)
    return tenant_a


def _callback(client, project, recording_id: str) -> Recording:
    body = {"call_id": f"call-{recording_id}", "url": recording_id}
    assert post_json(client, recording_url_of(project), body).status_code == 200
    return Recording.objects.get(project=project, call__call_id=f"call-{recording_id}")


def test_a_new_recording_is_copied_and_the_copy_is_played(
    client, staff_client_for, keeping, stringee
):
    recording = _callback(client, keeping, "rec-a")
    assert recording.copy_status == CopyStatus.KEPT
    with storages["recordings"].open(recording.copy_name) as copy:
        assert copy.read() == AUDIO
    asked = len(stringee.seen)
    staff = staff_client_for(keeping)
    response = staff.get(
        f"/admin/calls/recording/{recording.pk}/audio/", headers={"Range": "bytes=3-12"}
    )
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 3-12/{len(AUDIO)}"
    assert b"".join(response.streaming_content) == AUDIO[3:13]
    whole = staff.get(f"/admin/calls/recording/{recording.pk}/audio/")
    assert (whole.status_code, b"".join(whole.streaming_content)) == (200, AUDIO)
    assert len(stringee.seen) == asked  # Stringee was not asked again
    assert "kept in the portal" in staff.get("/admin/calls/recording/").content.decode()


def test_a_copy_out_of_range_is_416(client, staff_client_for, keeping):
    recording = _callback(client, keeping, "rec-a")
    response = staff_client_for(keeping).get(
        f"/admin/calls/recording/{recording.pk}/audio/", headers={"Range": "bytes=999999-"}
    )
    assert (response.status_code, response["Content-Range"]) == (416, f"bytes */{len(AUDIO)}")


def test_a_project_that_keeps_no_copies_gets_none(client, keeping, tenant_b, stringee):
    recording = _callback(client, tenant_b, "rec-b")
    assert (recording.copy_status, recording.copy_name) == ("", "")
    assert stringee.seen == []  # nothing fetched until someone plays it


def test_a_failed_copy_is_shown_then_tried_again(client, staff_client_for, keeping, stringee):
    stringee.fail_with = [503]
    recording = _callback(client, keeping, "rec-a")
    assert (recording.copy_status, recording.copy_error, recording.copy_attempts) == (
        CopyStatus.FAILED,
        "fault",
        1,
    )
    assert recording.copy_next_try_at > timezone.now()
    page = staff_client_for(keeping).get("/admin/calls/recording/").content.decode()
    assert "copy failed: Stringee failed to send this recording" in page
    assert "tried 1 time" in page
    assert recording_copies_due() == 0  # not due yet
    assert recording_copies_due(now=recording.copy_next_try_at) == 1
    recording.refresh_from_db()
    assert (recording.copy_status, recording.copy_attempts) == (CopyStatus.KEPT, 2)


def test_copies_stop_being_tried_after_the_last_attempt(client, keeping, stringee, settings):
    settings.RECORDING_COPY_ATTEMPTS = 2
    stringee.fail_with = [429, 429]
    recording = _callback(client, keeping, "rec-a")
    recording_copies_due(now=recording.copy_next_try_at)
    recording.refresh_from_db()
    assert (recording.copy_status, recording.copy_attempts) == (CopyStatus.FAILED, 2)
    assert recording.copy_next_try_at is None
    assert recording_copies_due(now=timezone.now() + timedelta(days=365)) == 0


def test_staff_of_another_tenant_cannot_play_the_copy(client, staff_client_for, keeping, tenant_b):
    recording = _callback(client, keeping, "rec-a")
    other = staff_client_for(tenant_b)
    assert other.get(f"/admin/calls/recording/{recording.pk}/audio/").status_code == 404


def _prune() -> str:
    out = StringIO()
    call_command("prune_calls", stdout=out)
    return out.getvalue()


def test_the_recording_retention_deletes_the_copys_file(client, keeping):
    keeping.recording_retention_days = 7
    keeping.save()
    recording = _callback(client, keeping, "rec-a")
    storage = storages["recordings"]
    assert storage.exists(recording.copy_name)
    Recording.objects.filter(pk=recording.pk).update(received_at=timezone.now() - timedelta(days=8))
    assert "1 recordings past their recording retention" in _prune()
    assert not Recording.objects.exists()
    assert not storage.exists(recording.copy_name)
    assert CallRecord.objects.get().recording_url == ""  # the call stays


def test_calls_past_their_retention_take_their_copies_with_them(client, keeping):
    recording = _callback(client, keeping, "rec-a")
    CallRecord.objects.update(created_at=timezone.now() - timedelta(days=181))
    _prune()
    assert not CallRecord.objects.exists()
    assert not storages["recordings"].exists(recording.copy_name)


def test_owners_switch_copies_on_and_viewers_only_read_it(staff_client_for, tenant_a):
    page = f"/admin/portal/project/{tenant_a.pk}/change/"
    owner = staff_client_for(tenant_a, Membership.Role.OWNER).get(page).content.decode()
    assert 'name="keep_recording_copies"' in owner
    assert "keep a copy of recordings in the portal" in owner.lower()
    viewer = staff_client_for(tenant_a, Membership.Role.VIEWER).get(page).content.decode()
    assert 'name="keep_recording_copies"' not in viewer


def test_the_workers_round_tries_a_failed_copy_again(client, keeping, stringee):
    from portal.management.commands.run_worker import housekeeping

    stringee.fail_with = [500]
    recording = _callback(client, keeping, "rec-a")
    Recording.objects.filter(pk=recording.pk).update(copy_next_try_at=timezone.now())
    housekeeping()
    recording.refresh_from_db()
    assert recording.copy_status == CopyStatus.KEPT
