"""The CSV export holds exactly the rows of the filtered admin list, and never another tenant's."""

import csv
import io

import pytest

from calls.tests.factories import CallEventFactory, CallRecordFactory
from portal.models import Export
from portal.tests.helpers import export_text, exported_csv

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("on_commit_at_once", "background_jobs_at_once"),
]

RECORDS = "/admin/calls/callrecord/"


def _call_ids(text: str) -> list[str]:
    return sorted(row["Call id"] for row in csv.DictReader(io.StringIO(text)))


@pytest.fixture
def mixed_calls(tenant_a, tenant_b):
    for n, status in enumerate(["answered", "busy", "busy", "no_answer"]):
        CallRecordFactory(project=tenant_a, call_id=f"a-{status}-{n}", status=status)
    CallRecordFactory(project=tenant_b, call_id="b-busy", status="busy")


def _listed(client, params: dict) -> list[str]:
    response = client.get(RECORDS, params)
    return sorted(str(row) for row in response.context["cl"].result_list)


def test_export_button_gives_the_filtered_list(staff_client_for, tenant_a, mixed_calls):
    client = staff_client_for(tenant_a, "viewer")
    exported = _call_ids(exported_csv(client, f"{RECORDS}export/", {"status__exact": "busy"}))
    assert exported == _listed(client, {"status__exact": "busy"}) == ["a-busy-1", "a-busy-2"]
    page = client.get(RECORDS, {"status__exact": "busy"}).content.decode()
    assert 'action="export/?status__exact=busy"' in page and 'method="post"' in page


def test_export_follows_search_too(staff_client_for, tenant_a, mixed_calls):
    client = staff_client_for(tenant_a)
    assert _call_ids(exported_csv(client, f"{RECORDS}export/", {"q": "no_answer"})) == [
        "a-no_answer-3"
    ]


def test_export_action_on_all_filtered_rows(staff_client_for, tenant_a, mixed_calls):
    client = staff_client_for(tenant_a, "viewer")
    response = client.post(
        f"{RECORDS}?status__exact=busy",
        {"action": "export_csv", "select_across": "1", "index": "0", "_selected_action": ["0"]},
    )
    assert response.status_code == 302
    export = Export.objects.get()
    assert export.selected is None and export.params == {"status__exact": ["busy"]}
    assert _call_ids(export_text(export)) == ["a-busy-1", "a-busy-2"]


def test_export_action_on_ticked_rows_only(staff_client_for, tenant_a, mixed_calls):
    client = staff_client_for(tenant_a, "viewer")
    ticked = CallRecordFactory._meta.model.objects.get(call_id="a-answered-0")
    client.post(RECORDS, {"action": "export_csv", "index": "0", "_selected_action": [ticked.pk]})
    export = Export.objects.get()
    assert export.filters == "1 selected row"
    assert _call_ids(export_text(export)) == ["a-answered-0"]


def test_export_of_everything_never_includes_other_tenants(
    staff_client_for, tenant_a, tenant_b, mixed_calls
):
    client = staff_client_for(tenant_a)
    exported = _call_ids(exported_csv(client, f"{RECORDS}export/"))
    assert "b-busy" not in exported and len(exported) == 4
    aimed_at_b = exported_csv(client, f"{RECORDS}export/", {"project__id__exact": tenant_b.pk})
    assert "b-busy" not in _call_ids(aimed_at_b)


def test_csv_columns_carry_the_record(staff_client_for, tenant_a):
    CallRecordFactory(
        project=tenant_a, call_id="one", from_user="alice", to_number="+84901234567", talk_seconds=7
    )
    body = exported_csv(staff_client_for(tenant_a), f"{RECORDS}export/")
    (row,) = csv.DictReader(io.StringIO(body))
    assert (row["From user"], row["To number"], row["Talk seconds"], row["Status"]) == (
        "alice",
        "+84901234567",
        "7",
        "answered",
    )
    assert row["Stringee projectId"] == str(tenant_a.stringee_project_id)


def test_event_export_is_scoped_too(staff_client_for, tenant_a, tenant_b):
    CallEventFactory(project=tenant_a, call_id="ev-a")
    CallEventFactory(project=tenant_b, call_id="ev-b")
    client = staff_client_for(tenant_a)
    assert _call_ids(exported_csv(client, "/admin/calls/callevent/export/")) == ["ev-a"]


def test_export_headers_are_words_staff_read(staff_client_for, tenant_a, mixed_calls):
    client = staff_client_for(tenant_a, "viewer")
    records = exported_csv(client, f"{RECORDS}export/")
    header = next(csv.reader(io.StringIO(records)))
    assert header[:3] == ["Call id", "Stringee projectId", "Direction"]
    assert {"Started at", "Ring seconds", "Talk seconds", "Virtual number", "From number"} <= set(
        header
    )
    assert not [name for name in header if "_" in name]
    CallEventFactory(project=tenant_a)
    events = exported_csv(client, "/admin/calls/callevent/export/")
    event_header = next(csv.reader(io.StringIO(events)))
    assert {"Received at", "Occurred at", "Status", "Type"} <= set(event_header)
    assert not [name for name in event_header if "_" in name]
