"""Tenancy fails closed: a model that does not say how it reaches its project cannot be scoped."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import models
from django.test.utils import isolate_apps

from portal.models import Project
from portal.tenancy import policy


@pytest.fixture
def undeclared_model():
    """A tenant-owned model of the routing app that forgot `tenant_lookup`."""
    with isolate_apps("routing") as isolated:

        class Forgotten(models.Model):
            project = models.ForeignKey(Project, on_delete=models.CASCADE)

            class Meta:
                app_label = "routing"

            def __str__(self) -> str:
                return f"Forgotten {self.pk}"

        yield Forgotten, isolated


def test_manage_py_check_fails_on_a_tenant_model_without_a_tenant_path(
    undeclared_model, monkeypatch
):
    _, isolated = undeclared_model
    monkeypatch.setattr(policy.apps, "get_models", isolated.get_models)
    with pytest.raises(
        SystemCheckError, match=r"portal\.E001.*routing\.Forgotten declares no tenant_lookup"
    ):
        call_command("check")


def test_check_passes_for_the_portals_own_models():
    assert policy.check_tenant_paths() == []


@pytest.mark.django_db
def test_scoping_an_undeclared_model_raises_instead_of_showing_every_tenants_rows(undeclared_model):
    model, _ = undeclared_model
    staff = get_user_model()(username="staff", is_staff=True)
    with pytest.raises(ImproperlyConfigured, match="declares no tenant_lookup"):
        policy.scope_to_user(model.objects.all(), staff)


@pytest.mark.django_db
def test_shared_models_are_offered_whole_and_superusers_see_everything(undeclared_model):
    users = get_user_model().objects.all()
    staff = get_user_model()(username="staff", is_staff=True)
    assert policy.scope_to_user(users, staff) is users
    model, _ = undeclared_model
    boss = get_user_model()(username="boss", is_superuser=True)
    assert policy.scope_to_user(model.objects.all(), boss).model is model
