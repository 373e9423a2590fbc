"""Bench data: sizes add up, and the generated tenants route the bench's calls through rules."""

import pytest
from django.test import Client

from bench.datagen import SMALL, bench_project_pks, grow_to, shares
from bench.targets import Tenant, answer_workload, event_workload, sample_tenants
from bench.workload import fill
from routing.models import RoutingErrorLog


def test_rows_are_split_evenly_without_losing_any():
    assert shares(999_990, 9_999)[:2] == [101, 101]
    assert sum(shares(999_990, 9_999)) == 999_990
    assert shares(10, 1) == [10]


@pytest.mark.django_db
def test_small_size_holds_one_tenant_with_its_numbers_users_and_rules():
    assert grow_to(SMALL) == {"projects": 1, "numbers": 10, "app_users": 5, "rules": 10}
    assert grow_to(SMALL)["projects"] == 1  # growing to the size it has adds nothing


@pytest.mark.django_db
def test_bench_calls_to_a_generated_tenant_match_rules_and_ring_app_users():
    grow_to(SMALL)
    tenants = sample_tenants(bench_project_pks(), 1)
    client = Client()
    answered = []
    for n, template in enumerate(answer_workload(tenants).for_run(1).templates):
        path, _ = fill(template, n, n, 0)
        response = client.get(path)
        assert response.status_code == 200
        answered.append(response.json()[0]["to"])
    assert [(to["type"], to["number"]) for to in answered] == [
        ("internal", "user_1"),
        ("internal", "user_2"),
    ]
    assert not RoutingErrorLog.objects.exists()


def test_each_event_of_a_run_gets_a_distinct_call_and_timestamp():
    tenant = Tenant(7_000_000, "token", "+84900000000", ("user_1", "user_2"))
    templates = event_workload([tenant]).for_run(3).templates
    bodies = [fill(templates[n % 4], n, n // 4, 1000 + n)[1] for n in range(8)]
    assert len(set(bodies)) == 8
    assert '"call_id":"call-bench-3-0"' in bodies[3] and '"call_id":"call-bench-3-1"' in bodies[4]
