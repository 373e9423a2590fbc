"""Staff assign and release numbers from the admin; taken numbers are refused clearly."""

import pytest
from django.utils import timezone

from portal import services
from portal.models import Membership, VirtualNumber
from portal.tests.factories import VirtualNumberFactory

pytestmark = pytest.mark.django_db


def _run_action(client, action, numbers_, **extra):
    return client.post(
        "/admin/portal/virtualnumber/",
        {
            "action": action,
            "_selected_action": [n.pk for n in numbers_],
            "apply": "1",
            **extra,
        },
        follow=True,
    )


def test_assign_action_gives_stock_numbers_to_a_project(admin_client, tenant_a):
    stock = VirtualNumberFactory(project=None, status="available")
    html = _run_action(
        admin_client, "assign_to_project", [stock], project=tenant_a.pk
    ).content.decode()
    stock.refresh_from_db()
    assert stock.project == tenant_a and stock.status == "assigned" and stock.assigned_at
    assert f"{stock.number} assigned to" in html


def test_assign_action_refuses_a_number_another_project_holds(admin_client, tenant_a, tenant_b):
    held = VirtualNumberFactory(project=tenant_b)
    html = _run_action(
        admin_client, "assign_to_project", [held], project=tenant_a.pk
    ).content.decode()
    held.refresh_from_db()
    assert held.project == tenant_b
    assert "already assigned to another project" in html


def test_assign_action_first_asks_which_project(admin_client, tenant_a):
    stock = VirtualNumberFactory(project=None, status="available")
    page = admin_client.post(
        "/admin/portal/virtualnumber/",
        {"action": "assign_to_project", "_selected_action": [stock.pk]},
    )
    assert page.status_code == 200
    assert "Assign numbers to a project" in page.content.decode()


def test_release_action_quarantines_for_the_chosen_days(staff_client_for, tenant_a):
    number = VirtualNumberFactory(project=tenant_a)
    client = staff_client_for(tenant_a, Membership.Role.OWNER)
    _run_action(client, "release_numbers", [number], days=7)
    number.refresh_from_db()
    assert number.project is None and number.status == "quarantined"
    assert (number.quarantined_until - timezone.now()).days in (6, 7)


def test_quarantined_number_cannot_be_reassigned_until_its_date(tenant_a, tenant_b):
    number = VirtualNumberFactory(project=tenant_a)
    services.number_release(number=number, days=3)
    with pytest.raises(services.NumberUnavailable, match="quarantined until"):
        services.number_assign(number=number.number, project=tenant_b)
    VirtualNumber.objects.filter(pk=number.pk).update(quarantined_until=timezone.now())
    assert services.numbers_recycle() == 1
    assert services.number_assign(number=number.number, project=tenant_b)[0].project == tenant_b


@pytest.mark.parametrize("typed", ["0901234567", "+84 90 123 4567", "84901234567", "1234567"])
def test_search_finds_a_number_by_any_typed_form(admin_client, typed):
    wanted = VirtualNumberFactory(number="+84901234567")
    VirtualNumberFactory(number="+84907654321")
    response = admin_client.get("/admin/portal/virtualnumber/", {"q": typed})
    assert list(response.context["cl"].result_list) == [wanted]


def test_filters_by_status(admin_client):
    VirtualNumberFactory(project=None, status="available", number="+84903333333")
    VirtualNumberFactory(number="+84904444444")
    response = admin_client.get("/admin/portal/virtualnumber/", {"status__exact": "available"})
    assert [n.number for n in response.context["cl"].result_list] == ["+84903333333"]
