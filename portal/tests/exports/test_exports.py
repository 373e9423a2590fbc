"""Exports: asking answers at once, the worker writes the file, and each tenant's staff see and
download only their own projects' exports (superusers all); old files go after their retention."""

import codecs
import csv
import io
from datetime import timedelta
from html import escape

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from calls.tests.factories import CallRecordFactory
from portal import exports
from portal.models import AuditEntry, Export, Membership
from portal.tests.factories import MembershipFactory, StaffUserFactory
from portal.tests.helpers import export_text

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("on_commit_at_once", "background_jobs_at_once"),
]

RECORDS = "/admin/calls/callrecord/"
EXPORTS = "/admin/portal/export/"


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def member(project, role=Membership.Role.VIEWER):
    return MembershipFactory(project=project, role=role).user


def ask(client, params: str = "") -> list[Export]:
    before = set(Export.objects.values_list("pk", flat=True))
    response = client.post(f"{RECORDS}export/{params}", follow=True)
    assert response.status_code == 200
    return list(Export.objects.exclude(pk__in=before).order_by("pk"))


@pytest.fixture
def calls_of_both(tenant_a, tenant_b):
    for n in range(3):
        CallRecordFactory(project=tenant_a, call_id=f"a-{n}", status="busy" if n else "answered")
    CallRecordFactory(project=tenant_b, call_id="b-0")


def call_ids(export: Export) -> list[str]:
    return sorted(row["Call id"] for row in csv.DictReader(io.StringIO(export_text(export))))


def test_asking_answers_at_once_with_a_link_to_the_exports_page(tenant_a, calls_of_both):
    client = client_of(member(tenant_a))
    response = client.post(f"{RECORDS}export/?status__exact=busy")
    assert response.status_code == 302 and response["Location"] == f"{RECORDS}?status__exact=busy"
    page = client.get(response["Location"]).content.decode()
    assert "Your export is being prepared." in page and f'href="{EXPORTS}"' in page
    (export,) = Export.objects.all()
    assert (export.project, export.filters, export.status) == (tenant_a, "Status: busy", "ready")
    assert call_ids(export) == ["a-1", "a-2"]
    assert export.row_count == 2
    assert export.size == len(codecs.BOM_UTF8 + export_text(export).encode())


def test_a_plain_visit_of_the_export_address_asks_for_nothing(tenant_a, calls_of_both):
    response = client_of(member(tenant_a)).get(f"{RECORDS}export/?status__exact=busy")
    assert response.status_code == 302 and not Export.objects.exists()


def test_exports_page_lists_status_rows_size_who_and_a_download_link(tenant_a, calls_of_both):
    user = member(tenant_a)
    client = client_of(user)
    (export,) = ask(client)
    page = client.get(EXPORTS).content.decode()
    for shown in ("Call records", "Whole list", "Ready", "3", user.username, "Download"):
        assert shown in page, shown
    assert f"{EXPORTS}{export.pk}/download/" in page
    download = client.get(f"{EXPORTS}{export.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="callrecords-')
    body = b"".join(download.streaming_content)
    # A byte-order mark first, so that Excel reads Vietnamese names as UTF-8.
    assert body.startswith(codecs.BOM_UTF8)
    assert body.decode("utf-8-sig") == export_text(export)


def test_staff_never_see_or_download_another_tenants_export(tenant_a, tenant_b, calls_of_both):
    (theirs,) = ask(client_of(member(tenant_b)))
    client = client_of(member(tenant_a, Membership.Role.OWNER))
    (mine,) = ask(client)
    page = client.get(EXPORTS).content.decode()
    assert f"{mine.pk}/download/" in page and f"{theirs.pk}/download/" not in page
    assert client.get(f"{EXPORTS}{theirs.pk}/download/").status_code == 404
    assert client.get(f"{EXPORTS}{theirs.pk}/change/").status_code in (302, 404)
    assert (
        f"{theirs.pk}/download/"
        not in client.get(EXPORTS, {"project__id__exact": tenant_b.pk}).content.decode()
    )
    for junk in ("99999999999999999999999", "0"):
        assert client.get(f"{EXPORTS}{junk}/download/").status_code == 404
    for junk in ("-1", "x"):  # not an export number: the admin's "no such object" redirect
        assert client.get(f"{EXPORTS}{junk}/download/").status_code == 302


def test_a_colleague_of_the_same_project_may_download_it(tenant_a, calls_of_both):
    (export,) = ask(client_of(member(tenant_a)))
    colleague = client_of(member(tenant_a))
    assert colleague.get(f"{EXPORTS}{export.pk}/download/").status_code == 200


def test_superusers_see_and_download_every_tenants_exports(admin_client, tenant_b, calls_of_both):
    (export,) = ask(client_of(member(tenant_b)))
    assert f"{export.pk}/download/" in admin_client.get(EXPORTS).content.decode()
    assert admin_client.get(f"{EXPORTS}{export.pk}/download/").status_code == 200


def test_staff_of_two_projects_get_one_file_per_project(tenant_a, tenant_b, calls_of_both):
    user = member(tenant_a)
    MembershipFactory(user=user, project=tenant_b, role=Membership.Role.VIEWER)
    client = client_of(user)
    made = ask(client)
    assert sorted(e.project_id for e in made) == sorted([tenant_a.pk, tenant_b.pk])
    by_project = {e.project_id: call_ids(e) for e in made}
    assert by_project == {tenant_a.pk: ["a-0", "a-1", "a-2"], tenant_b.pk: ["b-0"]}
    only_a = client_of(member(tenant_a))
    (b_file,) = [e for e in made if e.project_id == tenant_b.pk]
    assert only_a.get(f"{EXPORTS}{b_file.pk}/download/").status_code == 404
    (a_only,) = ask(client, f"?project__id__exact={tenant_a.pk}")
    assert a_only.project == tenant_a and call_ids(a_only) == ["a-0", "a-1", "a-2"]


def test_a_superusers_export_of_every_tenant_is_for_superusers_only(
    admin_client, tenant_a, calls_of_both
):
    (export,) = ask(admin_client)
    assert export.project is None
    assert call_ids(export) == ["a-0", "a-1", "a-2", "b-0"]
    staff = client_of(member(tenant_a, Membership.Role.OWNER))
    assert staff.get(f"{EXPORTS}{export.pk}/download/").status_code == 404


def test_who_asked_and_who_downloaded_are_in_the_change_history(tenant_a, calls_of_both):
    user = member(tenant_a)
    client = client_of(user)
    (export,) = ask(client, "?status__exact=busy")
    client.get(f"{EXPORTS}{export.pk}/download/")
    entries = AuditEntry.objects.get_for_object(export).order_by("pk")
    assert [(e.action, e.actor, e.project_id) for e in entries] == [
        (AuditEntry.Action.CREATE, user, tenant_a.pk),
        (AuditEntry.Action.ACCESS, user, tenant_a.pk),
    ]
    asked = entries[0].changes_display_dict
    assert "Status: busy" in str(asked) and "Call records" in str(asked)
    history = client.get("/admin/portal/auditentry/").content.decode()
    assert "Downloaded" in history and "Added" in history
    assert not entries.filter(action=AuditEntry.Action.UPDATE)


def test_filters_that_cannot_be_applied_fail_in_plain_words_and_can_be_retried(
    tenant_a, calls_of_both
):
    client = client_of(member(tenant_a))
    (export,) = ask(client, "?started_at__gte=not-a-date")
    export.refresh_from_db()
    assert export.status == "failed"
    assert export.error == "filters"
    shown = "The list's filters could not be applied; open the list and export again."
    assert escape(shown) in client.get(EXPORTS).content.decode()
    Export.objects.filter(pk=export.pk).update(params={})
    response = client.post(
        EXPORTS, {"action": "prepare_again", "_selected_action": [export.pk], "index": "0"}
    )
    assert response.status_code == 302
    assert call_ids(export) == ["a-0", "a-1", "a-2"]


def test_an_export_fails_when_the_person_who_asked_lost_the_project(tenant_a, calls_of_both):
    user = member(tenant_a)
    (export,) = ask(client_of(user))
    Membership.objects.filter(user=user).delete()
    Export.objects.filter(pk=export.pk).update(status="waiting", file="")
    exports.export_build(export_id=export.pk)
    export.refresh_from_db()
    assert export.status == "failed" and export.error == "access"
    assert "may no longer see" in exports.problem_text(export)


def test_junk_filters_and_nul_characters_never_fail_the_page(tenant_a, calls_of_both):
    client = client_of(member(tenant_a))
    for query in (
        "?q=%00",
        "?status__exact=%00busy",
        "?project__id__exact=99999999999999999999999999",
        "?started_at__year=0",
        "?p=999",
        "?nonsense__lookup=1",
    ):
        # NUL is refused before any view (portal.middleware): 400, else back to the list
        assert client.post(f"{RECORDS}export/{query}").status_code in (302, 400), query
    assert not Export.objects.filter(status__in=["waiting", "running"]).exists()


def test_exports_page_refreshes_itself_while_a_file_is_being_written(tenant_a):
    user = member(tenant_a)
    Export.objects.create(project=tenant_a, source="calls.callrecord", created_by=user)
    page = client_of(user).get(EXPORTS).content.decode()
    assert 'http-equiv="refresh"' in page and "Waiting" in page


def test_old_exports_and_their_files_are_removed_after_the_retention(
    tenant_a, calls_of_both, settings
):
    client = client_of(member(tenant_a))
    old, recent = ask(client) + ask(client)
    Export.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    settings.EXPORT_RETENTION_DAYS = 7
    old.refresh_from_db()
    assert exports.storage().exists(old.file)
    call_command("prune_calls", stdout=io.StringIO())
    assert list(Export.objects.all()) == [recent]
    assert not exports.storage().exists(old.file) and exports.storage().exists(recent.file)
    assert not AuditEntry.objects.get_for_object(old).filter(action=AuditEntry.Action.DELETE)


def test_a_stalled_export_is_queued_again_then_fails_after_the_last_attempt(
    tenant_a, calls_of_both, settings
):
    settings.EXPORT_STALLED_SECONDS, settings.EXPORT_MAX_ATTEMPTS = 60, 2
    user = StaffUserFactory()
    MembershipFactory(user=user, project=tenant_a)
    long_ago = timezone.now() - timedelta(minutes=5)
    export = Export.objects.create(
        project=tenant_a,
        source="calls.callrecord",
        created_by=user,
        status="running",
        attempts=1,
        heartbeat_at=long_ago,
    )
    assert exports.exports_requeue_stalled() == 1  # tasks run at once here: it is written
    export.refresh_from_db()
    assert (export.status, export.attempts, export.row_count) == ("ready", 2, 3)
    Export.objects.filter(pk=export.pk).update(status="running", heartbeat_at=long_ago)
    assert exports.exports_requeue_stalled() == 0
    export.refresh_from_db()
    assert export.status == "failed"
    assert export.error == "interrupted"
    assert exports.problem_text(export) == (
        "The export was interrupted 2 times before the file was written."
    )
    fresh = Export.objects.create(
        project=tenant_a, source="calls.callrecord", status="running", heartbeat_at=timezone.now()
    )
    assert exports.exports_requeue_stalled() == 0
    assert Export.objects.get(pk=fresh.pk).status == "running"


def test_the_exports_page_speaks_the_readers_language(tenant_a, calls_of_both, settings):
    client = client_of(member(tenant_a))
    ask(client, "?status__exact=busy")
    ask(client, "?started_at__gte=junk")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    page = client.get(EXPORTS).content.decode()
    for shown in ("Trạng thái: busy", "Sẵn sàng", "Không áp dụng được bộ lọc", "Tải xuống"):
        assert shown in page, shown
    assert "Tệp xuất" in page and "Status: busy" not in page
