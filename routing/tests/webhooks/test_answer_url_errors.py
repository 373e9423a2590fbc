"""The answer_url refuses unknown projects and bad tokens, and otherwise never answers 500."""

import pytest

from portal.tests.factories import VirtualNumberFactory
from routing import engine
from routing.models import RoutingErrorLog
from routing.scco import scco_problems
from routing.tests.helpers import answer

pytestmark = pytest.mark.django_db


def test_unknown_project_is_404_json(client):
    response = client.get("/answer_url/987654/whatever/", {"from": "a", "to": "b"})
    assert response.status_code == 404
    assert response.json()["error"] == "unknown_project"


def test_wrong_token_is_403_json(client, tenant_a):
    response = answer(
        client, tenant_a, token="not-the-token", from_="user_1", to="user_2", fromInternal="true"
    )
    assert response.status_code == 403
    assert response.json()["error"] == "bad_token"


def test_forced_internal_error_still_answers_the_fallback_and_logs_it(
    client, tenant_a, monkeypatch
):
    def explode(*args, **kwargs):
        raise RuntimeError("engine exploded")

    monkeypatch.setattr(engine, "route", explode)
    monkeypatch.setattr("routing.webhooks.engine.route", explode)
    response = answer(
        client, tenant_a, from_="84901234567", to="84899100001", fromInternal="false", uuid="u-9"
    )
    assert response.status_code == 200
    assert response.json() == [{"action": "talk", "text": tenant_a.fallback_message}]
    log = RoutingErrorLog.objects.get(project=tenant_a)
    assert "engine exploded" in log.error
    assert log.call_id == "u-9"
    assert log.params["from"] == "84901234567"


def test_call_to_a_number_without_rule_hears_the_configured_fallback_and_is_logged(
    client, tenant_a
):
    tenant_a.fallback_message = "Nobody is here."
    tenant_a.save()
    VirtualNumberFactory(project=tenant_a, number="+84899100001")
    response = answer(client, tenant_a, from_="84901234567", to="84899100001", fromInternal="false")
    assert response.json() == [{"action": "talk", "text": "Nobody is here."}]
    assert scco_problems(response.json()) == []
    assert "no rule for the project's number 84899100001" in RoutingErrorLog.objects.get().error


def test_missing_parameters_get_the_fallback_not_an_error(client, tenant_a):
    response = answer(client, tenant_a)
    assert response.status_code == 200
    assert response.json()[0]["action"] == "talk"


def test_unreachable_database_on_a_cold_cache_is_a_503_json_error_not_a_500(
    client, tenant_a, monkeypatch
):
    from django.db import OperationalError

    def database_down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("portal.webhooks.door.Project.objects.filter", database_down)
    response = answer(client, tenant_a, from_="user_1", to="user_2", fromInternal="true")
    assert response.status_code == 503
    assert response.json()["error"] == "routing_unavailable"
