"""Numbers API: the project's list, its labels, the inventory search, purchase, release and
recycling."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.utils import timezone

from portal.models import AuditEntry, VirtualNumber
from portal.tests.factories import VirtualNumberFactory
from portal.tests.helpers import jwt_headers
from routing.cache import rebuild
from routing.models import RoutingTable

Status = VirtualNumber.Status


def purchase(client, project, number: str):
    return client.post(
        "/api/v1/numbers/purchase/",
        {"number": number},
        content_type="application/json",
        headers=jwt_headers(project),
    )


def stock(*numbers: str) -> None:
    for number in numbers:
        VirtualNumberFactory(number=number, project=None, status=Status.AVAILABLE)


def listed(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["number"] for row in response.json()["results"]]


@pytest.mark.django_db
def test_number_list_filters_by_label_and_search_in_any_typed_form(client, tenant_a):
    VirtualNumberFactory(project=tenant_a, number="+84901111111", label="Sales hotline")
    VirtualNumberFactory(project=tenant_a, number="+84902222222", label="Support")
    assert listed(client.get("/api/v1/numbers/?label=sales", headers=jwt_headers(tenant_a))) == [
        "+84901111111"
    ]
    assert listed(
        client.get("/api/v1/numbers/?search=0902222222", headers=jwt_headers(tenant_a))
    ) == ["+84902222222"]
    assert listed(client.get("/api/v1/numbers/?search=support", headers=jwt_headers(tenant_a))) == [
        "+84902222222"
    ]
    assert (
        len(listed(client.get("/api/v1/numbers/?status=assigned", headers=jwt_headers(tenant_a))))
        == 2
    )
    assert (
        listed(client.get("/api/v1/numbers/?status=quarantined", headers=jwt_headers(tenant_a)))
        == []
    )


@pytest.mark.django_db
def test_number_page_accepts_the_number_in_any_form_and_label_can_be_changed(client, tenant_a):
    VirtualNumberFactory(project=tenant_a, number="+84901111111")
    response = client.patch(
        "/api/v1/numbers/0901111111/",
        {"label": "Front desk", "status": "available"},
        content_type="application/json",
        headers=jwt_headers(tenant_a),
    )
    assert response.status_code == 200, response.content
    assert response.json()["label"] == "Front desk"
    number = VirtualNumber.objects.get()
    assert (number.label, number.status, number.project) == (
        "Front desk",
        Status.ASSIGNED,
        tenant_a,
    )


@pytest.mark.django_db
def test_inventory_searches_stock_by_prefix_in_any_typed_form(client, tenant_a):
    stock("+84901234567", "+84901239999", "+842873008888")
    VirtualNumberFactory(number="+84901230000")  # someone else's: not for sale
    for prefix in ("090123", "+84 90 123", "8490123", "0084 90123"):
        found = listed(
            client.get(
                "/api/v1/numbers/inventory/", {"prefix": prefix}, headers=jwt_headers(tenant_a)
            )
        )
        assert found == ["+84901234567", "+84901239999"], prefix
    full = listed(
        client.get("/api/v1/numbers/inventory/?prefix=02873008888", headers=jwt_headers(tenant_a))
    )
    assert full == ["+842873008888"]


@pytest.mark.django_db
def test_inventory_pattern_wildcards_match_whole_numbers_and_bare_digits_match_anywhere(
    client, tenant_a
):
    stock("+84901234567", "+84908888123", "+842873008888")

    def search(pattern):
        return listed(
            client.get(
                "/api/v1/numbers/inventory/", {"pattern": pattern}, headers=jwt_headers(tenant_a)
            )
        )

    assert search("8888") == ["+842873008888", "+84908888123"]
    assert search("*8888") == ["+842873008888"]
    assert search("8490*") == ["+84901234567", "+84908888123"]
    assert search("849?8888*") == ["+84908888123"]
    bad = client.get("/api/v1/numbers/inventory/?pattern=90.*", headers=jwt_headers(tenant_a))
    assert bad.status_code == 400
    assert bad.json()["error"] == "invalid"
    assert "pattern" in bad.json()["detail"]


@pytest.mark.django_db
def test_inventory_hides_quarantine_until_its_date_passes(client, tenant_a):
    now = timezone.now()
    VirtualNumberFactory(
        number="+84901111111",
        project=None,
        status=Status.QUARANTINED,
        quarantined_until=now + timedelta(days=3),
    )
    VirtualNumberFactory(
        number="+84902222222",
        project=None,
        status=Status.QUARANTINED,
        quarantined_until=now - timedelta(days=1),
    )
    assert listed(client.get("/api/v1/numbers/inventory/", headers=jwt_headers(tenant_a))) == [
        "+84902222222"
    ]


@pytest.mark.django_db
def test_purchase_in_national_form_assigns_the_number_to_the_callers_project(client, tenant_a):
    stock("+84901234567")
    response = purchase(client, tenant_a, {"number": "090 123 4567"}["number"])
    assert response.status_code == 201, response.content
    assert response.json()["number"] == "+84901234567"
    assert response.json()["project"] == tenant_a.stringee_project_id
    number = VirtualNumber.objects.get()
    assert (number.project, number.status) == (tenant_a, Status.ASSIGNED)
    again = purchase(client, tenant_a, {"number": "84901234567"}["number"])
    assert again.status_code == 200


@pytest.mark.django_db
def test_purchase_of_a_taken_number_is_409_with_the_reason(client, tenant_a, tenant_b):
    VirtualNumberFactory(project=tenant_b, number="+84901234567")
    response = purchase(client, tenant_a, {"number": "+84901234567"}["number"])
    assert response.status_code == 409
    assert response.json() == {
        "error": "number_unavailable",
        "detail": "+84901234567 is already assigned to another project.",
    }
    assert VirtualNumber.objects.get().project == tenant_b


@pytest.mark.django_db
def test_purchase_of_unknown_or_invalid_number_says_why(client, tenant_a):
    unknown = purchase(client, tenant_a, {"number": "0901234567"}["number"])
    assert unknown.status_code == 409
    assert "not in the number inventory" in unknown.json()["detail"]
    invalid = purchase(client, tenant_a, {"number": "12ab"}["number"])
    assert invalid.status_code == 400
    assert invalid.json()["detail"].startswith("number:")


@pytest.mark.django_db
def test_release_quarantines_then_recycle_command_returns_the_number_to_inventory(
    client, tenant_a, tenant_b
):
    VirtualNumberFactory(project=tenant_a, number="+84901234567")
    response = client.post(
        "/api/v1/numbers/0901234567/release/",
        {"days": 10},
        content_type="application/json",
        headers=jwt_headers(tenant_a),
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "quarantined"
    number = VirtualNumber.objects.get()
    assert number.project is None
    assert (
        timedelta(days=9, hours=23)
        < number.quarantined_until - timezone.now()
        <= timedelta(days=10)
    )
    assert listed(client.get("/api/v1/numbers/", headers=jwt_headers(tenant_a))) == []
    assert listed(client.get("/api/v1/numbers/inventory/", headers=jwt_headers(tenant_b))) == []
    blocked = purchase(client, tenant_b, {"number": "0901234567"}["number"])
    assert blocked.status_code == 409
    assert "quarantined until" in blocked.json()["detail"]

    VirtualNumber.objects.update(quarantined_until=timezone.now() - timedelta(minutes=1))
    call_command("recycle_numbers", stdout=(out := StringIO()))
    assert "recycled +84901234567" in out.getvalue()
    assert "1 number(s) back in the inventory" in out.getvalue()
    assert VirtualNumber.objects.get().status == Status.AVAILABLE
    assert listed(client.get("/api/v1/numbers/inventory/", headers=jwt_headers(tenant_b))) == [
        "+84901234567"
    ]


@pytest.mark.django_db
def test_release_without_days_uses_the_configured_quarantine(client, tenant_a, settings):
    settings.NUMBER_QUARANTINE_DAYS = 2
    VirtualNumberFactory(project=tenant_a, number="+84901234567")
    client.post("/api/v1/numbers/+84901234567/release/", headers=jwt_headers(tenant_a))
    left = VirtualNumber.objects.get().quarantined_until - timezone.now()
    assert timedelta(days=1, hours=23) < left <= timedelta(days=2)


@pytest.mark.django_db
def test_number_out_of_quarantine_can_be_purchased_before_the_recycle_command_runs(
    client, tenant_a, tenant_b
):
    VirtualNumberFactory(
        number="+84901234567",
        project=None,
        status=Status.QUARANTINED,
        quarantined_until=timezone.now() - timedelta(hours=1),
    )
    response = purchase(client, tenant_b, {"number": "+84901234567"}["number"])
    assert response.status_code == 201
    assert VirtualNumber.objects.get().project == tenant_b


@pytest.mark.django_db
def test_recycle_command_leaves_numbers_still_in_quarantine(tenant_a):
    VirtualNumberFactory(
        number="+84901234567",
        project=None,
        status=Status.QUARANTINED,
        quarantined_until=timezone.now() + timedelta(days=1),
    )
    call_command("recycle_numbers", stdout=(out := StringIO()))
    assert "0 number(s) back" in out.getvalue()
    assert VirtualNumber.objects.get().status == Status.QUARANTINED


@pytest.mark.django_db
def test_relabelling_a_number_costs_5_queries_records_it_and_keeps_the_routing_table(
    client, tenant_a, tenant_b, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    """The caller's project, the number, auditlog's read of it, its history entry and one UPDATE
    of the label; no routing table reads a label, so none is rebuilt."""
    VirtualNumberFactory(project=tenant_a, number="+84901111111", label="Old name")
    rebuild(tenant_a.pk)
    built = RoutingTable.objects.get(project=tenant_a).built_at
    ContentType.objects.get_for_model(VirtualNumber)  # known to a server that served a request
    with django_assert_max_num_queries(5), django_capture_on_commit_callbacks(execute=True):
        response = client.patch(
            "/api/v1/numbers/0901111111/",
            {"label": "Front desk"},
            content_type="application/json",
            headers=jwt_headers(tenant_a),
        )
    assert response.status_code == 200, response.content
    assert response.json()["label"] == "Front desk"
    number = VirtualNumber.objects.get(number="+84901111111")
    assert (number.label, number.status, number.project) == (
        "Front desk",
        Status.ASSIGNED,
        tenant_a,
    )
    entry = AuditEntry.objects.get_for_object(number).get(action=AuditEntry.Action.UPDATE)
    assert entry.changes_dict == {"label": ["Old name", "Front desk"]}
    assert entry.project == tenant_a and tenant_a.api_key_sid in entry.caller
    assert RoutingTable.objects.get(project=tenant_a).built_at == built


@pytest.mark.django_db
def test_another_tenants_number_cannot_be_relabelled(client, tenant_a, tenant_b):
    VirtualNumberFactory(project=tenant_b, number="+84902222222", label="B's desk")
    response = client.patch(
        "/api/v1/numbers/0902222222/",
        {"label": "Mine now"},
        content_type="application/json",
        headers=jwt_headers(tenant_a),
    )
    assert response.status_code == 404
    assert VirtualNumber.objects.get(number="+84902222222").label == "B's desk"


@pytest.mark.django_db
def test_a_number_saved_whole_still_rebuilds_the_routing_table(
    tenant_a, django_capture_on_commit_callbacks
):
    """Only a save of the label alone is skipped: the admin saves whole rows."""
    number = VirtualNumberFactory(project=tenant_a, number="+84903333333")
    rebuild(tenant_a.pk)
    built = RoutingTable.objects.get(project=tenant_a).built_at
    number.fallback_message = "Closed today."
    with django_capture_on_commit_callbacks(execute=True):
        number.save()
    table = RoutingTable.objects.get(project=tenant_a)
    assert table.built_at != built
    assert "Closed today." in str(table.data)
