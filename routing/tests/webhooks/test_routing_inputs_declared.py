"""Routing-table invalidation is not opt-in: every model of the tenant apps says whether saving it
changes how calls route (routing.E001), and every model a routing table is compiled from says
yes, so its saves rebuild the table."""

import re

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection, models
from django.test.utils import CaptureQueriesContext, isolate_apps

from calls.demo import seed_demo_calls
from portal.devtools import demo
from portal.models import Project
from routing import cache
from routing.cache import check_routing_inputs_declared
from routing.demo import seed_demo_routing
from routing.models import RoutingRule
from routing.snapshot import build_snapshot

pytestmark = pytest.mark.django_db


def models_read_by_the_snapshot(project: Project) -> set[type[models.Model]]:
    """The models whose tables compiling `project`'s routing table reads."""
    by_table = {model._meta.db_table: model for model in apps.get_models()}
    with CaptureQueriesContext(connection) as queries:
        build_snapshot(project)
    tables = set()
    for query in queries:
        tables |= set(re.findall(r'(?:FROM|JOIN) "?(\w+)"?', query["sql"]))
    return {by_table[table] for table in tables if table in by_table}


def not_invalidating(project: Project) -> list[str]:
    return sorted(
        model._meta.label
        for model in models_read_by_the_snapshot(project)
        if not getattr(model, "invalidates_routing", False)
    )


@pytest.fixture
def full_demo():
    project = demo.seed_demo()
    seed_demo_routing(project)
    seed_demo_calls(project, count=5)
    return project


def test_every_model_the_table_is_compiled_from_invalidates_it(full_demo):
    read = models_read_by_the_snapshot(full_demo)
    assert RoutingRule in read and len(read) >= 8  # rules, menus, keys, groups, numbers, users...
    assert not_invalidating(full_demo) == []


def test_a_model_read_by_the_table_that_does_not_invalidate_it_is_found(full_demo, monkeypatch):
    monkeypatch.setattr(RoutingRule, "invalidates_routing", False)
    assert not_invalidating(full_demo) == ["routing.RoutingRule"]


def test_the_portals_own_models_all_say_whether_they_change_routing():
    assert check_routing_inputs_declared() == []


def test_a_tenant_model_that_says_nothing_fails_manage_py_check(monkeypatch):
    with isolate_apps("routing") as isolated:

        class Forgotten(models.Model):
            tenant_lookup = "project"
            project = models.ForeignKey(Project, on_delete=models.CASCADE)

            class Meta:
                app_label = "routing"

            def __str__(self) -> str:
                return f"Forgotten {self.pk}"

        monkeypatch.setattr(cache.apps, "get_models", isolated.get_models)
        with pytest.raises(SystemCheckError, match=r"routing\.E001.*routing\.Forgotten does not"):
            call_command("check")
