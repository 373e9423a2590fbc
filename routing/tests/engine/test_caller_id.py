"""A rule's caller ID must be a number its own project owns: model, admin form and API refuse
others."""

import pytest
from django.core.exceptions import ValidationError

from portal.api.authentication import make_rest_token
from portal.tests.factories import VirtualNumberFactory
from routing.models import RoutingRule
from routing.tests.factories import RoutingRuleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def numbers(tenant_a, tenant_b):
    return {
        "a": VirtualNumberFactory(project=tenant_a, number="+84899100001"),
        "b": VirtualNumberFactory(project=tenant_b, number="+84899200002"),
    }


def forward_rule(project, caller_id):
    return RoutingRuleFactory.build(
        project=project,
        destination_kind="phone",
        called_kind="pattern",
        called_pattern="84",
        destination_number="+84909000111",
        caller_id=caller_id,
    )


def test_model_refuses_another_projects_number_as_caller_id(tenant_a, numbers):
    with pytest.raises(ValidationError) as error:
        forward_rule(tenant_a, numbers["b"]).full_clean()
    assert "caller_id" in error.value.message_dict
    forward_rule(tenant_a, numbers["a"]).full_clean()


def test_model_refuses_a_number_no_longer_assigned(tenant_a):
    stock = VirtualNumberFactory(project=None, status="available", number="+84899300003")
    with pytest.raises(ValidationError):
        forward_rule(tenant_a, stock).full_clean()


def admin_form(project, caller_id):
    return {
        "project": project.pk,
        "name": "Forward",
        "priority": 10,
        "enabled": "on",
        "direction": "any",
        "called_kind": "pattern",
        "called_pattern": "84",
        "destination_kind": "phone",
        "destination_number": "+84909000111",
        "caller_id": caller_id.pk,
        "record_format": "mp3",
        "on_fail_kind": "message",
        "peer_to_peer_call": "unknown",
    }


def test_admin_form_refuses_another_projects_number(admin_client, tenant_a, numbers):
    response = admin_client.post(
        "/admin/routing/routingrule/add/", admin_form(tenant_a, numbers["b"])
    )
    assert response.status_code == 200
    assert "is not a number of this project" in response.content.decode()
    assert not RoutingRule.objects.exists()
    response = admin_client.post(
        "/admin/routing/routingrule/add/", admin_form(tenant_a, numbers["a"])
    )
    assert response.status_code == 302
    assert RoutingRule.objects.get().caller_id == numbers["a"]


def test_api_refuses_another_projects_number(client, tenant_a, numbers):
    body = {
        "name": "Forward",
        "called_kind": "pattern",
        "called_pattern": "84",
        "destination_kind": "phone",
        "destination_number": "+84909000111",
    }
    refused = client.post(
        "/api/v1/rules/",
        {**body, "caller_id": numbers["b"].pk},
        content_type="application/json",
        HTTP_X_STRINGEE_AUTH=make_rest_token(tenant_a),
    )
    assert refused.status_code == 400
    assert "caller_id" in refused.json()["fields"]
    accepted = client.post(
        "/api/v1/rules/",
        {**body, "caller_id": numbers["a"].pk},
        content_type="application/json",
        HTTP_X_STRINGEE_AUTH=make_rest_token(tenant_a),
    )
    assert accepted.status_code == 201, accepted.json()


def test_caller_id_is_shown_on_forwarded_calls(client, tenant_a, numbers):
    rule = forward_rule(tenant_a, numbers["a"])
    rule.save()
    from routing.tests.helpers import answer

    connect = answer(
        client, tenant_a, from_="84901234567", to="84909999999", fromInternal="false"
    ).json()[0]
    assert connect["from"] == {"type": "external", "number": "84901234567", "alias": "84899100001"}
