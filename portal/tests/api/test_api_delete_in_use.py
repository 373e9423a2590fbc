"""Deleting something other rows still use: a 409 naming them, documented; nothing is lost."""

import pytest

from portal.api.authentication import make_rest_token
from portal.models import AppUser
from portal.tests.factories import AppUserFactory
from routing.models import RingGroup, RoutingRule
from routing.tests.factories import RoutingRuleFactory

pytestmark = pytest.mark.django_db


def _auth(project) -> dict:
    return {"HTTP_X_STRINGEE_AUTH": make_rest_token(project)}


def test_deleting_an_app_user_a_rule_sends_calls_to_is_409_naming_the_rule(client, tenant_a):
    agent = AppUserFactory(project=tenant_a, user_id="agent_1")
    RoutingRuleFactory(project=tenant_a, name="Sales", destination_user=agent)
    response = client.delete(f"/api/v1/users/{agent.pk}/", **_auth(tenant_a))
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["error"] == "still_in_use"
    assert "routing rule “Sales”" in body["detail"]
    assert AppUser.objects.filter(pk=agent.pk).exists()
    assert RoutingRule.objects.filter(name="Sales").exists()


def test_once_the_rule_is_gone_the_app_user_can_be_deleted(client, tenant_a):
    agent = AppUserFactory(project=tenant_a)
    rule = RoutingRuleFactory(project=tenant_a, name="Sales", destination_user=agent)
    assert client.delete(f"/api/v1/rules/{rule.pk}/", **_auth(tenant_a)).status_code == 204
    assert client.delete(f"/api/v1/users/{agent.pk}/", **_auth(tenant_a)).status_code == 204


def test_another_tenants_app_user_in_use_is_404_not_409(client, tenant_a, tenant_b):
    theirs = AppUserFactory(project=tenant_b)
    RoutingRuleFactory(project=tenant_b, name="Their secret rule", destination_user=theirs)
    response = client.delete(f"/api/v1/users/{theirs.pk}/", **_auth(tenant_a))
    assert response.status_code == 404
    assert "secret" not in response.content.decode()
    assert AppUser.objects.filter(pk=theirs.pk).exists()


def test_deleting_a_ring_group_a_rule_uses_is_409_too(client, tenant_a):
    group = RingGroup.objects.create(project=tenant_a, name="Support")
    RoutingRuleFactory(
        project=tenant_a, name="Nights", destination_kind="group", destination_group=group
    )
    response = client.delete(f"/api/v1/ring-groups/{group.pk}/", **_auth(tenant_a))
    assert response.status_code == 409
    assert "routing rule “Nights”" in response.json()["detail"]
    assert RingGroup.objects.filter(pk=group.pk).exists()


def test_the_schema_documents_409_on_every_delete(client, tenant_a):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    deletes = {
        path: operations["delete"]
        for path, operations in schema["paths"].items()
        if path.startswith("/api/v1/") and "delete" in operations
    }
    assert "/api/v1/users/{id}/" in deletes
    for path, operation in deletes.items():
        documented = operation["responses"].get("409")
        assert documented, path
        assert documented["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"
        }


def test_an_app_user_used_by_many_rules_names_five_and_says_there_are_more(client, tenant_a):
    agent = AppUserFactory(project=tenant_a)
    for n in range(8):
        RoutingRuleFactory(project=tenant_a, name=f"Rule {n}", destination_user=agent)
    detail = client.delete(f"/api/v1/users/{agent.pk}/", **_auth(tenant_a)).json()["detail"]
    assert detail.count("routing rule “") == 5
    assert detail.endswith("….")
