"""The rules and ivr-menus API: full CRUD for a project's own rows, 404 for another tenant's."""

import pytest

from portal.api.authentication import make_rest_token
from portal.tests.factories import AppUserFactory
from routing.models import IvrMenu, RoutingRule
from routing.tests.factories import IvrMenuFactory, RoutingRuleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, tenant_a):
    def call(method, url, body=None, project=tenant_a):
        kwargs = {"HTTP_X_STRINGEE_AUTH": make_rest_token(project)}
        if body is not None:
            kwargs.update(data=body, content_type="application/json")
        return getattr(client, method)(url, **kwargs)

    return call


@pytest.fixture
def rows(tenant_a, tenant_b):
    return {
        "a_rule": RoutingRuleFactory(
            project=tenant_a, name="rule_of_a", destination_kind="message"
        ),
        "b_rule": RoutingRuleFactory(
            project=tenant_b, name="rule_of_b", destination_kind="message"
        ),
        "a_menu": IvrMenuFactory(project=tenant_a, name="menu_of_a"),
        "b_menu": IvrMenuFactory(project=tenant_b, name="menu_of_b"),
    }


@pytest.mark.parametrize("resource, key", [("rules", "rule"), ("ivr-menus", "menu")])
def test_list_shows_only_own_rows(api, rows, resource, key):
    names = [row["name"] for row in api("get", f"/api/v1/{resource}/").json()["results"]]
    assert names == [f"{key}_of_a"]


@pytest.mark.parametrize("resource, key", [("rules", "b_rule"), ("ivr-menus", "b_menu")])
@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_other_tenants_row_is_404_for_every_method(api, rows, resource, key, method):
    body = None if method in ("get", "delete") else {"name": "stolen"}
    response = api(method, f"/api/v1/{resource}/{rows[key].pk}/", body)
    assert response.status_code == 404
    rows[key].refresh_from_db()
    assert rows[key].name.endswith("_of_b")


def test_rule_create_update_delete(api, tenant_a):
    created = api(
        "post",
        "/api/v1/rules/",
        {"name": "Closed", "destination_kind": "message", "message_text": "Bye"},
    )
    assert created.status_code == 201, created.json()
    assert created.json()["project"] == tenant_a.stringee_project_id
    url = f"/api/v1/rules/{created.json()['id']}/"
    assert api("patch", url, {"priority": 5}).json()["priority"] == 5
    full = {**api("get", url).json(), "name": "Closed all day"}
    assert api("put", url, full).status_code == 200
    assert api("delete", url).status_code == 204
    assert not RoutingRule.objects.exists()


def test_rule_whose_scco_would_be_invalid_is_400_naming_the_field(api):
    response = api(
        "post",
        "/api/v1/rules/",
        {
            "name": "Rec",
            "destination_kind": "phone",
            "destination_number": "+84909000111",
            "record": True,
            "peer_to_peer_call": True,
        },
    )
    assert response.status_code == 400
    assert "peer_to_peer_call" in response.json()["fields"]


def test_menu_with_options_is_created_and_its_options_replaced(api, tenant_a):
    user = AppUserFactory(project=tenant_a, user_id="agent")
    body = {
        "name": "Main",
        "greeting_text": "Hello",
        "options": [
            {"digit": "1", "destination_kind": "user", "destination_user": user.pk},
            {"digit": "2", "destination_kind": "message", "message_text": "Bye"},
        ],
    }
    created = api("post", "/api/v1/ivr-menus/", body)
    assert created.status_code == 201, created.json()
    url = f"/api/v1/ivr-menus/{created.json()['id']}/"
    api(
        "patch",
        url,
        {"options": [{"digit": "9", "destination_kind": "message", "message_text": "x"}]},
    )
    assert list(IvrMenu.objects.get().options.values_list("digit", flat=True)) == ["9"]


def test_menu_option_cannot_ring_another_tenants_user(api, tenant_b):
    intruder = AppUserFactory(project=tenant_b)
    body = {
        "name": "Main",
        "greeting_text": "Hello",
        "options": [{"digit": "1", "destination_kind": "user", "destination_user": intruder.pk}],
    }
    assert api("post", "/api/v1/ivr-menus/", body).status_code == 400


def test_menu_used_by_a_rule_cannot_be_deleted(api, tenant_a):
    menu = IvrMenuFactory(project=tenant_a)
    rule = RoutingRuleFactory(project=tenant_a, destination_kind="menu", destination_menu=menu)
    response = api("delete", f"/api/v1/ivr-menus/{menu.pk}/")
    assert response.status_code == 409
    assert response.json()["error"] == "still_in_use"
    assert f"routing rule “{rule.name}”" in response.json()["detail"]
    assert IvrMenu.objects.filter(pk=menu.pk).exists()


def test_filters_narrow_the_list(api, tenant_a, rows):
    RoutingRuleFactory(project=tenant_a, name="off", enabled=False)
    names = [row["name"] for row in api("get", "/api/v1/rules/?enabled=false").json()["results"]]
    assert names == ["off"]
