"""A rule's days are read by one parser (routing.weekdays) in the admin, the API and the routing
table: "Mon-Fri", "1-5", "1,3,5", "Mon,Wed,Fri" are stored as "12345" / "135"; junk is a field
error, never a 500."""

from datetime import UTC, datetime

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from portal.models import Membership
from portal.tests.helpers import jwt_headers
from routing.cache import routing_table
from routing.engine.decide import matches_schedule
from routing.engine.types import Call
from routing.models import RoutingRule
from routing.services import config as services
from routing.tests.factories import RoutingRuleFactory
from routing.weekdays import DaysError, days_label, normalise_days, parse_days

READ = [
    ("Mon-Fri", "12345"),
    ("mon - fri", "12345"),
    ("Mon–Fri", "12345"),
    ("1-5", "12345"),
    ("1,3,5", "135"),
    ("1, 3, 5", "135"),
    ("Mon,Wed,Fri", "135"),
    ("monday wednesday friday", "135"),
    ("Tu;Th", "24"),
    ("Sat-Sun", "67"),
    ("Fri-Mon", "1567"),  # a range may wrap around the end of the week
    ("12345", "12345"),  # the stored form reads as itself
    ("5,1,1,3", "135"),
    ("", ""),
    ("  ", ""),
    ("T2-T6", "12345"),  # the Vietnamese short names, as the Vietnamese pages show them
    ("t2, t4, CN", "137"),
    ("T7–CN", "67"),
]
JUNK = ["Mon-", "0", "8", "1-9", "Funday", "M", "1-2-3", "'; drop table x; --", "12345678", "١"]


@pytest.mark.parametrize("typed, stored", READ)
def test_days_are_read_in_every_usual_form(typed, stored):
    assert normalise_days(typed) == stored


@pytest.mark.parametrize("typed", JUNK)
def test_junk_is_refused_with_words(typed):
    with pytest.raises(DaysError, match=r"day|Mon-Fri"):
        parse_days(typed)


def test_labels():
    assert days_label([1, 2, 3, 4, 5]) == "Mon–Fri"
    assert days_label("135") == "Mon, Wed, Fri"
    assert days_label([]) == ""


def test_labels_in_vietnamese():
    with translation.override("vi"):
        assert days_label([1, 2, 3, 4, 5]) == "T2–T6"
        assert days_label("135") == "T2, T4, T6"
        assert days_label([6, 7]) == "T7, CN"
        assert parse_days(days_label([2, 4, 7])) == (2, 4, 7)


@given(st.sets(st.integers(1, 7)))
def test_a_label_reads_back_as_its_days(days):
    assert parse_days(days_label(days)) == tuple(sorted(days))


@given(st.text(max_size=40))
def test_any_text_is_days_or_a_days_error(text):
    try:
        days = parse_days(text)
    except DaysError:
        return
    assert all(1 <= day <= 7 for day in days) and list(days) == sorted(set(days))


# --- the admin --------------------------------------------------------------------------------

ADD = "/admin/routing/routingrule/add/"


def _rule_form(project, days: str) -> dict:
    return {
        "project": project.pk,
        "name": f"Days {days!r}"[:200],
        "priority": "10",
        "enabled": "on",
        "direction": "any",
        "called_kind": "any",
        "schedule_days": days,
        "business_hours": "any",
        "destination_kind": "message",
        "message_text": "Hello",
        "record_format": "mp3",
        "on_fail_kind": "message",
        "_save": "Save",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("typed, stored", READ[:8])
def test_admin_form_stores_the_normalised_days(staff_client_for, tenant_a, typed, stored):
    client = staff_client_for(tenant_a, Membership.Role.OWNER)
    response = client.post(ADD, _rule_form(tenant_a, typed))
    assert response.status_code == 302, response.context["adminform"].form.errors
    rule = RoutingRule.objects.get(project=tenant_a)
    assert rule.schedule_days == stored
    assert routing_table(tenant_a).rules[0]["days"] == [int(day) for day in stored]


@pytest.mark.django_db
@pytest.mark.parametrize("typed", JUNK)
def test_admin_form_shows_junk_days_as_a_field_error(staff_client_for, tenant_a, typed):
    client = staff_client_for(tenant_a, Membership.Role.OWNER)
    response = client.post(ADD, _rule_form(tenant_a, typed))
    assert response.status_code == 200
    assert "schedule_days" in response.context["adminform"].form.errors
    assert not RoutingRule.objects.exists()


@pytest.mark.django_db
def test_change_form_shows_stored_days_as_words(staff_client_for, tenant_a):
    rule = RoutingRuleFactory(project=tenant_a, schedule_days="12345", message_text="Hi")
    client = staff_client_for(tenant_a, Membership.Role.OWNER)
    html = client.get(f"/admin/routing/routingrule/{rule.pk}/change/").content.decode()
    assert 'name="schedule_days" value="Mon–Fri"' in html


@pytest.mark.django_db
def test_vietnamese_change_form_shows_days_in_vietnamese_and_reads_them_back(
    staff_client_for, tenant_a
):
    client = staff_client_for(tenant_a, Membership.Role.OWNER)
    client.cookies["django_language"] = "vi"
    rule = RoutingRuleFactory(project=tenant_a, schedule_days="12345", message_text="Hi")
    html = client.get(f"/admin/routing/routingrule/{rule.pk}/change/").content.decode()
    assert 'name="schedule_days" value="T2–T6"' in html
    response = client.post(ADD, {**_rule_form(tenant_a, "T2–T6"), "name": "Vietnamese days"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert RoutingRule.objects.get(name="Vietnamese days").schedule_days == "12345"


# --- the API and the service ------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sent, stored",
    [("Mon-Fri", "12345"), ("1,3,5", "135"), ([1, 3, 5], "135"), (["Sat", "Sun"], "67")],
)
def test_api_reads_the_same_forms(client, tenant_a, sent, stored):
    body = {"name": "Weekdays", "destination_kind": "message", "message_text": "Hi"}
    response = client.post(
        "/api/v1/rules/",
        {**body, "schedule_days": sent},
        content_type="application/json",
        headers=jwt_headers(tenant_a),
    )
    assert response.status_code == 201, response.json()
    assert response.json()["schedule_days"] == stored
    assert RoutingRule.objects.get(project=tenant_a).schedule_days == stored


@pytest.mark.django_db
def test_api_refuses_junk_days_with_a_400(client, tenant_a):
    response = client.post(
        "/api/v1/rules/",
        {"name": "x", "destination_kind": "message", "message_text": "Hi", "schedule_days": "9-1"},
        content_type="application/json",
        headers=jwt_headers(tenant_a),
    )
    assert response.status_code == 400
    assert "schedule_days" in response.json()["fields"]


@pytest.mark.django_db
def test_the_service_normalises_days_handed_to_it_as_typed(tenant_a):
    rule = RoutingRule(
        project=tenant_a,
        name="Typed",
        schedule_days="Sat-Sun",
        destination_kind="message",
        message_text="Hi",
    )
    services.rule_save(rule=rule)
    rule.refresh_from_db()
    assert rule.schedule_days == "67"


def test_the_engine_matches_on_the_parsed_days():
    rule = {"days": list(parse_days("Mon-Fri")), "start": None, "end": None}

    class Table:
        time_zone = "UTC"

    monday = Call("a", "b", False, datetime(2026, 11, 23, 12, tzinfo=UTC))
    sunday = Call("a", "b", False, datetime(2026, 11, 29, 12, tzinfo=UTC))
    assert matches_schedule(rule, monday, Table())
    assert not matches_schedule(rule, sunday, Table())
