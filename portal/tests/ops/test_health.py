"""/healthz and /readyz: liveness without the database, readiness naming the failed dependency."""

import pytest
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper

from portal.tests.helpers import redis_cache

REDIS_DOWN = redis_cache("redis://127.0.0.1:6399/0")


def test_healthz_answers_ok_without_touching_the_database(client):
    response = client.get("/healthz")  # no django_db mark: any query would raise
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_reports_every_dependency_ready(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"database": "ok", "cache": "ok"}}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_names_the_database_when_its_cursor_fails(client, monkeypatch):
    def broken(self, sql, params=None):
        raise OperationalError("could not connect to server at db.internal:5432")

    monkeypatch.setattr(CursorWrapper, "execute", broken)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "not ready",
        "checks": {"database": "unreachable", "cache": "ok"},
    }
    assert b"db.internal" not in response.content


@pytest.mark.django_db
def test_readyz_names_the_cache_when_redis_is_down_even_though_the_cache_ignores_errors(
    client, settings
):
    settings.CACHES = REDIS_DOWN
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "not ready",
        "checks": {"database": "ok", "cache": "unreachable"},
    }
    assert b"6399" not in response.content


def test_probes_need_no_login_and_refuse_writes(client):
    assert client.post("/healthz").status_code == 405
