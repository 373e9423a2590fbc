"""A project's week of opening hours is edited on one page, saved whole by the calendar service."""

from datetime import time

import pytest

from portal.models import Membership
from portal.tests.factories import MembershipFactory
from routing.cache import routing_table
from routing.models import OpeningHours

pytestmark = pytest.mark.django_db

CHOOSE = "/admin/routing/openinghours/week/"


def _week(project):
    return f"/admin/routing/openinghours/week/{project.pk}/"


def _post_week(rows: list[tuple[int, str, str]]) -> dict:
    """The page's form: one row per (weekday, opens, closes)."""
    data = {
        "week-TOTAL_FORMS": str(len(rows)),
        "week-INITIAL_FORMS": str(len(rows)),
        "week-MIN_NUM_FORMS": "0",
        "week-MAX_NUM_FORMS": "42",
    }
    for index, (weekday, opens, closes) in enumerate(rows):
        data[f"week-{index}-weekday"] = str(weekday)
        data[f"week-{index}-opens"] = opens
        data[f"week-{index}-closes"] = closes
    return data


def test_the_week_shows_seven_days_with_their_windows(staff_client_for, tenant_a):
    OpeningHours.objects.create(project=tenant_a, weekday=1, opens=time(8), closes=time(12))
    OpeningHours.objects.create(project=tenant_a, weekday=1, opens=time(13), closes=time(17))
    client = staff_client_for(tenant_a, Membership.Role.OPERATOR)
    assert client.get(CHOOSE).url == _week(tenant_a)  # one project: straight there
    html = client.get(_week(tenant_a)).content.decode()
    for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"):
        assert day in html
    assert 'value="08:00"' in html and 'value="13:00"' in html
    assert "Save the week" in html
    assert "The week on one page" in client.get("/admin/routing/openinghours/").content.decode()


def test_a_whole_week_is_saved_at_once(staff_client_for, tenant_a):
    OpeningHours.objects.create(project=tenant_a, weekday=7, opens=time(9), closes=time(10))
    client = staff_client_for(tenant_a, Membership.Role.OWNER)
    rows = [(day, "08:00", "17:30") for day in range(1, 6)]
    rows += [(6, "09:00", "12:00"), (6, "", ""), (7, "", "")]  # Sunday emptied: closed
    response = client.post(_week(tenant_a), _post_week(rows))
    assert response.status_code == 302
    saved = list(
        OpeningHours.objects.filter(project=tenant_a).values_list("weekday", "opens", "closes")
    )
    assert saved == [(day, time(8), time(17, 30)) for day in range(1, 6)] + [(6, time(9), time(12))]
    hours = routing_table(tenant_a).calendar["hours"]
    assert hours["1"] == [["08:00:00", "17:30:00"]] and "7" not in hours


@pytest.mark.parametrize(
    "rows, words",
    [
        ([(1, "08:00", "")], "Give both times"),
        ([(1, "17:00", "08:00")], "Closing must be after opening"),
        ([(1, "08:00", "12:00"), (1, "11:00", "13:00")], "overlap"),
        ([(1, "25:61", "08:00")], "Enter a valid time"),
        ([(9, "08:00", "09:00")], "Select a valid choice"),
    ],
)
def test_bad_weeks_are_shown_with_errors_and_saved_not_at_all(
    staff_client_for, tenant_a, rows, words
):
    OpeningHours.objects.create(project=tenant_a, weekday=2, opens=time(8), closes=time(9))
    client = staff_client_for(tenant_a, Membership.Role.OWNER)
    response = client.post(_week(tenant_a), _post_week(rows))
    assert response.status_code == 200
    assert words in response.content.decode()
    assert OpeningHours.objects.filter(project=tenant_a).count() == 1


def test_midnight_closes_the_day(staff_client_for, tenant_a):
    client = staff_client_for(tenant_a, Membership.Role.OWNER)
    rows = [(5, "18:00", "00:00"), (5, "08:00", "12:00")]
    assert client.post(_week(tenant_a), _post_week(rows)).status_code == 302
    assert OpeningHours.objects.filter(project=tenant_a, weekday=5).count() == 2


def test_viewers_see_the_week_but_cannot_save_it(staff_client_for, tenant_a):
    client = staff_client_for(tenant_a, Membership.Role.VIEWER)
    html = client.get(_week(tenant_a)).content.decode()
    assert "Save the week" not in html and "disabled" in html
    assert client.post(_week(tenant_a), _post_week([(1, "08:00", "09:00")])).status_code == 403
    assert not OpeningHours.objects.exists()


def test_another_tenants_week_does_not_open(staff_client_for, tenant_a, tenant_b):
    client = staff_client_for(tenant_a, Membership.Role.OWNER)
    assert client.get(_week(tenant_b)).status_code == 404
    assert client.post(_week(tenant_b), _post_week([(1, "08:00", "09:00")])).status_code == 404
    assert not OpeningHours.objects.exists()


def test_staff_of_several_projects_choose_one(client, tenant_a, tenant_b):
    member = MembershipFactory(project=tenant_a, role=Membership.Role.OWNER)
    Membership.objects.create(user=member.user, project=tenant_b, role=Membership.Role.VIEWER)
    client.force_login(member.user)
    html = client.get(CHOOSE).content.decode()
    assert _week(tenant_a) in html and _week(tenant_b) in html
