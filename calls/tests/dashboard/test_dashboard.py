"""The dashboard's figures, checked against hand-counted calls; other tenants' calls never count."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from calls.dashboard import chosen_project, dashboard_figures
from calls.models import CallRecord
from calls.tests.factories import CallRecordFactory
from portal.models import Membership
from portal.ops.webhook_health import LatencyStore, latency_summary, store
from portal.tests.factories import AppUserFactory, MembershipFactory, VirtualNumberFactory
from routing.models import RoutingErrorLog

pytestmark = pytest.mark.django_db
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 3, 10, 15, 0, tzinfo=ZONE)


def at(days_ago: int, hour: int, minute: int = 0) -> datetime:
    return (NOW - timedelta(days=days_ago)).replace(hour=hour, minute=minute)


@pytest.fixture
def calls(tenant_a, tenant_b):
    """Eight calls of tenant A (counted by hand below) and five of tenant B."""
    n1 = VirtualNumberFactory(project=tenant_a, number="+84899100001", label="Hotline")
    n2 = VirtualNumberFactory(project=tenant_a, number="+84899100002")
    AppUserFactory(project=tenant_a, user_id="agent_1", display_name="Agent One")
    AppUserFactory(project=tenant_b, user_id="agent_1", display_name="Someone of tenant B")
    rows = [
        # started, status, direction, number, from_user, to_user, ring, talk
        (at(0, 9), "answered", "phone_to_app", n1, "", "agent_2", 5, 60),
        (at(0, 10), "answered", "phone_to_app", n1, "", "agent_2", 15, 120),
        (at(0, 11), "busy", "app_to_phone", n2, "agent_1", "", 10, 0),
        (at(0, 14, 55), "in_progress", "app_to_app", None, "agent_1", "agent_2", None, None),
        (at(3, 12), "no_answer", "phone_to_app", n1, "", "", 20, 0),
        (at(3, 13), "failed", "phone_to_phone", None, "", "", 0, 0),
        (at(10, 9), "cancelled", "phone_to_app", None, "", "", 8, 0),
        (at(40, 9), "answered", "phone_to_app", n1, "", "", 5, 30),
    ]
    for started, status, direction, number, from_user, to_user, ring, talk in rows:
        CallRecordFactory(
            project=tenant_a,
            started_at=started,
            status=status,
            direction=direction,
            virtual_number=number,
            from_user=from_user,
            to_user=to_user,
            ring_seconds=ring,
            talk_seconds=talk,
        )
    for hour in range(9, 14):
        CallRecordFactory(
            project=tenant_b,
            started_at=at(0, hour),
            status="answered",
            ring_seconds=1,
            talk_seconds=1,
        )
    RoutingErrorLog.objects.create(project=tenant_a, call_id="a-err", error="no rule for A")
    RoutingErrorLog.objects.create(project=tenant_b, call_id="b-err", error="no rule for B")
    return n1, n2


def owner_of(project):
    return MembershipFactory(project=project, role=Membership.Role.OWNER).user


def test_figures_of_a_tenant_match_the_hand_count(tenant_a, calls):
    n1, n2 = calls
    f = dashboard_figures(user=owner_of(tenant_a), project=tenant_a, period_days=7, now=NOW)
    assert (f.calls_today, f.calls_7_days, f.calls_30_days) == (4, 6, 7)
    assert (f.period_calls, f.ended_calls, f.in_progress) == (6, 5, 1)
    assert f.rates == {"answered": 40.0, "missed": 20.0, "busy": 20.0, "failed": 20.0}
    assert f.avg_ring_seconds == 10.0  # (5 + 15 + 10 + 20 + 0) / 5
    assert f.avg_talk_seconds == 90.0  # answered calls only
    assert dict(f.by_direction) == {
        "Phone → app": 3,
        "App → phone": 1,
        "App → app": 1,
        "Phone → phone": 1,
    }
    assert f.busiest_numbers == [(n1, 3), (n2, 1)]
    assert dict(f.by_number) == {"+84899100001": 3, "No number (app calls)": 2, "+84899100002": 1}
    assert f.busiest_users == [("agent_2", 3), ("Agent One (agent_1)", 2)]
    assert [e.error for e in f.errors] == ["no rule for A"]
    hours = {slot["label"]: slot for slot in f.per_hour}
    assert len(f.per_hour) == 24 and f.per_hour[-1]["label"] == "15:00"
    assert hours["09:00"] == {"label": "09:00", "answered": 1, "other": 0}
    assert hours["11:00"]["other"] == 1 and hours["14:00"]["other"] == 1


def test_thirty_days_count_cancelled_calls_as_missed(tenant_a, calls):
    f = dashboard_figures(user=owner_of(tenant_a), project=tenant_a, period_days=30, now=NOW)
    assert (f.period_calls, f.ended_calls) == (7, 6)
    assert f.rates["missed"] == 33.3  # no answer + hung up before an answer


def test_a_superuser_sees_all_tenants_or_the_one_picked(admin_user, tenant_a, tenant_b, calls):
    everything = dashboard_figures(user=admin_user, project=None, now=NOW)
    assert everything.calls_today == 4 + 5
    assert {e.error for e in everything.errors} == {"no rule for A", "no rule for B"}
    picked = chosen_project(admin_user, str(tenant_b.pk))
    only_b = dashboard_figures(user=admin_user, project=picked, now=NOW)
    assert (picked, only_b.calls_today, only_b.calls_30_days) == (tenant_b, 5, 5)


def test_staff_cannot_pick_another_tenant(tenant_a, tenant_b, calls):
    owner = owner_of(tenant_a)
    assert chosen_project(owner, str(tenant_b.pk)) is None
    assert chosen_project(owner, None) == tenant_a  # their only project
    mine = dashboard_figures(user=owner, project=chosen_project(owner, str(tenant_b.pk)), now=NOW)
    assert mine.calls_today == 4


def test_dashboard_page_is_the_admin_landing_page(client, tenant_a, tenant_b, calls):
    CallRecord.objects.update(
        started_at=None
    )  # the page runs at the real time: move A's calls to now
    CallRecordFactory(project=tenant_a, status="answered", ring_seconds=3, talk_seconds=40)
    CallRecordFactory(project=tenant_b, status="answered")
    client.force_login(owner_of(tenant_a))
    response = client.get("/admin/")
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["figures"].calls_30_days == 1
    assert 'id="dashboard-data"' in html and "vendor/chartjs/chart.umd.min.js" in html
    assert "no rule for A" in html and "no rule for B" not in html
    assert "Tenant B" not in html and "Someone of tenant B" not in html
    assert 'href="/admin/"' in html  # "View site" leads to the dashboard


@pytest.mark.parametrize("role", ["owner", "viewer", "superuser"])
def test_dashboard_renders_for_every_role(client, admin_user, tenant_a, calls, role):
    user = (
        admin_user if role == "superuser" else MembershipFactory(project=tenant_a, role=role).user
    )
    client.force_login(user)
    for query in ("", "?days=1", "?days=30", f"?project={tenant_a.pk}", "?project=x&days=y"):
        assert client.get(f"/admin/{query}").status_code == 200


def test_webhook_latency_percentiles_come_from_the_rolling_store():
    local = LatencyStore(flush_seconds=3600)
    for ms in [0.5] * 60 + [4] * 39 + [800]:
        local.record("answer", 4242, ms)
    local.flush()
    answer, event = latency_summary([4242])
    assert (answer.requests, answer.p50_ms, answer.p99_ms) == (100, 1.0, 5.0)
    assert event.requests == 0 and event.p50_ms is None


def test_answer_url_requests_show_up_in_webhook_health(client, tenant_a):
    for _ in range(3):
        client.get(
            f"/answer_url/{tenant_a.stringee_project_id}/{tenant_a.webhook_token}/",
            {"from": "1", "to": "2"},
        )
    store.flush()
    answer, _ = latency_summary([tenant_a.stringee_project_id])
    assert answer.requests == 3 and answer.p99_ms is not None
