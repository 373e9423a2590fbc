"""The CSV export holds exactly the rows of the filtered admin list, and never another tenant's."""

import csv
import io

import pytest

from calls.tests.factories import CallEventFactory, CallRecordFactory

pytestmark = pytest.mark.django_db

RECORDS = "/admin/calls/callrecord/"


def _call_ids(response) -> list[str]:
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    return sorted(row["Call id"] for row in rows)


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
    exported = _call_ids(client.get(f"{RECORDS}export/", {"status__exact": "busy"}))
    assert exported == _listed(client, {"status__exact": "busy"}) == ["a-busy-1", "a-busy-2"]
    assert (
        'href="export/?status__exact=busy"'
        in client.get(RECORDS, {"status__exact": "busy"}).content.decode()
    )


def test_export_follows_search_too(staff_client_for, tenant_a, mixed_calls):
    client = staff_client_for(tenant_a)
    assert _call_ids(client.get(f"{RECORDS}export/", {"q": "no_answer"})) == ["a-no_answer-3"]


def test_export_action_on_all_filtered_rows(staff_client_for, tenant_a, mixed_calls):
    client = staff_client_for(tenant_a, "viewer")
    response = client.post(
        f"{RECORDS}?status__exact=busy",
        {"action": "export_csv", "select_across": "1", "index": "0", "_selected_action": ["0"]},
    )
    assert response["Content-Type"].startswith("text/csv")
    assert _call_ids(response) == ["a-busy-1", "a-busy-2"]


def test_export_of_everything_never_includes_other_tenants(
    staff_client_for, tenant_a, tenant_b, mixed_calls
):
    client = staff_client_for(tenant_a)
    exported = _call_ids(client.get(f"{RECORDS}export/"))
    assert "b-busy" not in exported and len(exported) == 4
    aimed_at_b = _call_ids(client.get(f"{RECORDS}export/", {"project__id__exact": tenant_b.pk}))
    assert "b-busy" not in aimed_at_b


def test_csv_columns_carry_the_record(staff_client_for, tenant_a):
    CallRecordFactory(
        project=tenant_a, call_id="one", from_user="alice", to_number="+84901234567", talk_seconds=7
    )
    body = b"".join(staff_client_for(tenant_a).get(f"{RECORDS}export/").streaming_content).decode()
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
    assert _call_ids(staff_client_for(tenant_a).get("/admin/calls/callevent/export/")) == ["ev-a"]


def test_export_headers_are_words_staff_read(staff_client_for, tenant_a, mixed_calls):
    client = staff_client_for(tenant_a, "viewer")
    records = b"".join(client.get(f"{RECORDS}export/").streaming_content).decode()
    header = next(csv.reader(io.StringIO(records)))
    assert header[:3] == ["Call id", "Stringee projectId", "Direction"]
    assert {"Started at", "Ring seconds", "Talk seconds", "Virtual number", "From number"} <= set(
        header
    )
    assert not [name for name in header if "_" in name]
    CallEventFactory(project=tenant_a)
    events = b"".join(client.get("/admin/calls/callevent/export/").streaming_content).decode()
    event_header = next(csv.reader(io.StringIO(events)))
    assert {"Received at", "Occurred at", "Status", "Type"} <= set(event_header)
    assert not [name for name in event_header if "_" in name]
