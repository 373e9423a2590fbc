"""The calls and events API: read-only, scoped to the caller's project, filterable, paginated."""

import pytest
from django.core.management import call_command

from calls.models import CallEvent, CallRecord
from calls.tests.factories import T0, CallEventFactory, CallRecordFactory
from portal.tests.helpers import jwt_headers

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(tenant_a, tenant_b):
    return {
        "a_call": CallRecordFactory(project=tenant_a, call_id="a-call", to_number="+84901111111"),
        "b_call": CallRecordFactory(project=tenant_b, call_id="b-call", to_number="+84902222222"),
        "a_event": CallEventFactory(project=tenant_a, call_id="a-call"),
        "b_event": CallEventFactory(project=tenant_b, call_id="b-call"),
    }


@pytest.mark.parametrize("kind", ["calls", "events"])
def test_tenant_a_token_on_tenant_b_row_is_404(client, tenant_a, rows, kind):
    row = rows["b_call" if kind == "calls" else "b_event"]
    response = client.get(f"/api/v1/{kind}/{row.pk}/", headers=jwt_headers(tenant_a))
    assert (response.status_code, response.json()["error"]) == (404, "not_found")


@pytest.mark.parametrize("kind", ["calls", "events"])
def test_tenant_a_lists_hold_only_its_rows(client, tenant_a, rows, kind):
    results = client.get(f"/api/v1/{kind}/", headers=jwt_headers(tenant_a)).json()["results"]
    assert [r["call_id"] for r in results] == ["a-call"]


@pytest.mark.parametrize("kind", ["calls", "events"])
def test_own_row_reads_back(client, tenant_a, rows, kind):
    row = rows["a_call" if kind == "calls" else "a_event"]
    body = client.get(f"/api/v1/{kind}/{row.pk}/", headers=jwt_headers(tenant_a)).json()
    assert (body["call_id"], body["project"]) == ("a-call", tenant_a.stringee_project_id)


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("kind", ["calls", "events"])
def test_api_cannot_change_the_log(client, tenant_a, rows, kind, method):
    row = rows["a_call" if kind == "calls" else "a_event"]
    url = f"/api/v1/{kind}/" if method == "post" else f"/api/v1/{kind}/{row.pk}/"
    response = getattr(client, method)(
        url, {}, content_type="application/json", headers=jwt_headers(tenant_a)
    )
    assert response.status_code == 405
    assert CallRecord.objects.count() == 2 and CallEvent.objects.count() == 2


def test_call_filters(client, tenant_a, rows):
    CallRecordFactory(
        project=tenant_a, call_id="busy-one", status="busy", direction="phone_to_app", to_user="u9"
    )

    def get(**query) -> list[str]:
        results = client.get("/api/v1/calls/", query, headers=jwt_headers(tenant_a)).json()[
            "results"
        ]
        return [row["call_id"] for row in results]

    assert get(status="busy") == ["busy-one"]
    assert get(direction="phone_to_app") == ["busy-one"]
    assert get(number="0901111111") == ["a-call"]
    assert get(number="0902222222") == []  # tenant B's number
    assert get(user="u9") == ["busy-one"]
    assert get(started_after="2100-01-01T00:00:00Z") == []
    assert sorted(get(started_before="2100-01-01T00:00:00Z")) == ["a-call", "busy-one"]


def test_calls_are_page_paginated(client, tenant_a):
    CallRecordFactory.create_batch(3, project=tenant_a)
    body = client.get("/api/v1/calls/", {"page_size": 2}, headers=jwt_headers(tenant_a)).json()
    assert (body["count"], len(body["results"])) == (3, 2)
    assert "page=2" in body["next"]


def test_events_are_cursor_paginated_newest_first(client, tenant_a):
    for n in range(3):
        CallEventFactory(project=tenant_a, call_id="paged", status=f"s{n}", timestamp_ms=T0 + n)
    first = client.get("/api/v1/events/", {"page_size": 2}, headers=jwt_headers(tenant_a)).json()
    second = client.get(first["next"], headers=jwt_headers(tenant_a)).json()
    statuses = [e["status"] for e in first["results"] + second["results"]]
    assert statuses == ["s2", "s1", "s0"]
    assert "cursor=" in first["next"]


def test_event_filters(client, tenant_a, rows):
    CallEventFactory(project=tenant_a, call_id="other", status="ended")

    def get(**query) -> list[str]:
        results = client.get("/api/v1/events/", query, headers=jwt_headers(tenant_a)).json()[
            "results"
        ]
        return [row["call_id"] for row in results]

    assert get(status="ended") == ["other"]
    assert get(call_id="a-call") == ["a-call"]
    assert get(received_after="2100-01-01T00:00:00Z") == []


def test_viewer_staff_reads_only_own_calls(staff_client_for, tenant_a, rows):
    client = staff_client_for(tenant_a, "viewer")
    assert [r["call_id"] for r in client.get("/api/v1/calls/").json()["results"]] == ["a-call"]
    assert client.get(f"/api/v1/calls/{rows['b_call'].pk}/").status_code == 404


def test_schema_with_calls_validates_without_warnings():
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")


def test_routing_lists_the_calls_decisions_in_order_without_a_query_per_row(
    client, tenant_a, rows, django_assert_max_num_queries
):
    from calls.models import CallDecision

    for n in (2, 1):  # stored out of order; read back in the order they were decided
        CallDecision.objects.create(
            project=tenant_a, call_id="a-call", token=f"t{n}", parked_us=n, decision={"step": n}
        )
    CallDecision.objects.create(
        project=rows["b_call"].project, call_id="a-call", token="tb", parked_us=0, decision={}
    )
    detail = client.get(f"/api/v1/calls/{rows['a_call'].pk}/", headers=jwt_headers(tenant_a)).json()
    assert detail["routing"] == [{"step": 1}, {"step": 2}]
    CallRecordFactory.create_batch(5, project=tenant_a)
    with django_assert_max_num_queries(8):
        listed = client.get("/api/v1/calls/", headers=jwt_headers(tenant_a)).json()["results"]
    assert [r["routing"] for r in listed if r["call_id"] == "a-call"] == [
        [{"step": 1}, {"step": 2}]
    ]


@pytest.mark.django_db
def test_a_time_with_an_offset_that_is_not_a_time_zone_is_400(client, tenant_a):
    response = client.get(
        "/api/v1/calls/",
        {"started_after": "2026-01-01T00:00:00+99:00"},
        headers=jwt_headers(tenant_a),
    )
    assert response.status_code == 400, response.content
    assert "started_after" in response.json()["fields"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "parameter, moment, listed",
    [
        ("started_after", "9999-12-31T23:59:59-23:00", False),  # past year 9999 in UTC
        ("started_before", "9999-12-31T23:59:59-23:00", True),
        ("started_before", "0001-01-01T00:00:00+14:00", False),  # before year 1 in UTC
        ("started_after", "0001-01-01T00:00:00+14:00", True),
        ("started_after", "2020-01-01T00:00:00+22:30", True),  # beyond PostgreSQL's ±15:59
        ("started_before", "2020-01-01T00:00:00-23:59", False),
    ],
)
def test_any_iso_time_filters_as_its_moment_in_utc(client, tenant_a, parameter, moment, listed):
    CallRecordFactory(project=tenant_a, call_id="a-call")
    response = client.get("/api/v1/calls/", {parameter: moment}, headers=jwt_headers(tenant_a))
    assert response.status_code == 200, response.content
    assert bool(response.json()["results"]) is listed


def test_each_call_says_whether_it_is_a_test_call_and_the_list_filters_on_it(
    client, tenant_a, rows
):
    CallRecordFactory(project=tenant_a, call_id="call-test-ABCDEFGHJK-1", is_test=True)
    CallRecordFactory(
        project=rows["b_call"].project, call_id="call-test-OTHERTENAN-1", is_test=True
    )

    def get(**query) -> dict[str, bool]:
        response = client.get("/api/v1/calls/", query, headers=jwt_headers(tenant_a))
        assert response.status_code == 200, response.content
        return {row["call_id"]: row["is_test"] for row in response.json()["results"]}

    assert get() == {"a-call": False, "call-test-ABCDEFGHJK-1": True}
    assert get(is_test="true") == {"call-test-ABCDEFGHJK-1": True}  # tenant B's is not listed
    assert get(is_test="false") == {"a-call": False}


@pytest.mark.parametrize("value", ["maybe", "", "yes"])
def test_an_is_test_filter_that_is_not_true_or_false_is_refused(client, tenant_a, rows, value):
    response = client.get("/api/v1/calls/", {"is_test": value}, headers=jwt_headers(tenant_a))
    assert response.status_code == 400
    assert "is_test" in response.json()["fields"]
