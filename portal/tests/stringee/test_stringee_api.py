"""The API's number rows say where each number stands on Stringee, for the caller's project only."""

import pytest

from portal.models import StringeeState
from portal.tests.factories import VirtualNumberFactory
from portal.tests.helpers import jwt_headers

pytestmark = pytest.mark.django_db


def test_a_projects_numbers_carry_their_state_on_stringee(client, tenant_a):
    VirtualNumberFactory(
        project=tenant_a, number="+84901111111", stringee_state=StringeeState.FAILED
    )
    response = client.get("/api/v1/numbers/+84901111111/", headers=jwt_headers(tenant_a))
    assert response.status_code == 200
    assert response.json()["stringee_state"] == "failed"


def test_another_tenant_never_sees_a_numbers_state_on_stringee(client, tenant_a, tenant_b):
    VirtualNumberFactory(
        project=tenant_a, number="+84901111111", stringee_state=StringeeState.FAILED
    )
    response = client.get("/api/v1/numbers/+84901111111/", headers=jwt_headers(tenant_b))
    assert response.status_code == 404
    listed = client.get("/api/v1/numbers/", headers=jwt_headers(tenant_b)).json()["results"]
    assert listed == []
