"""A refused write leaves the caller's transaction usable: the next request or query still works."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from portal.tests.helpers import jwt_headers
from routing.models import IvrMenu, RingGroup
from routing.services.config import group_save, menu_save
from routing.tests.factories import IvrMenuFactory

pytestmark = pytest.mark.django_db


def test_a_refused_menu_inside_a_transaction_leaves_it_usable(tenant_a):
    IvrMenuFactory(project=tenant_a, name="Sales")
    with transaction.atomic():  # as the admin's change form wraps its work
        with pytest.raises(ValidationError) as refused:
            menu_save(menu=IvrMenu(project=tenant_a, name="Sales", greeting_text="Hi"))
        assert "already exists" in str(refused.value)
        with pytest.raises(ValidationError):
            menu_save(menu=IvrMenu(project=tenant_a, name="Support"))  # no greeting
        with pytest.raises(ValidationError):
            group_save(group=RingGroup(project=tenant_a, name="Sales desk"), members=[{}])
        assert not connection.needs_rollback
        assert IvrMenu.objects.filter(project=tenant_a).count() == 1


def test_an_api_call_after_a_refused_one_is_served(client, tenant_a):
    refused = client.post(
        "/api/v1/ivr-menus/", {"name": "Support"}, "application/json", headers=jwt_headers(tenant_a)
    )
    assert refused.status_code == 400 and refused.json()["error"] == "invalid"
    listed = client.get("/api/v1/ivr-menus/", headers=jwt_headers(tenant_a))
    assert listed.status_code == 200
