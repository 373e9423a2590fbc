"""Dockerfile and compose.yaml agree with `make serve`: no Docker daemon here, so read them."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def test_compose_runs_the_app_with_postgresql_and_redis_behind_health_checks():
    services = compose()["services"]
    assert {"app", "db", "redis", "migrate"} <= services.keys()
    for name in ("app", "db", "redis"):
        assert services[name]["healthcheck"]["test"], name
    assert "/readyz" in " ".join(services["app"]["healthcheck"]["test"])
    env = services["app"]["environment"]
    assert env["DATABASE_URL"].startswith("postgres://") and env["CACHE_URL"].startswith("redis://")
    assert env["DEBUG"] == "false" and "SECRET_KEY" in env
    assert services["app"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_dockerfile_serves_like_make_serve():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "FROM python:3.11" in dockerfile
    assert "check_production" in dockerfile and "portal.gunicorn_conf" in dockerfile
    assert "collectstatic" in dockerfile and "/readyz" in dockerfile
    assert "USER portal" in dockerfile


def test_grafana_dashboard_queries_only_series_the_portal_exports():
    import json
    import re

    from prometheus_client import REGISTRY

    suffixes = {"counter": ["_total"], "histogram": ["_bucket", "_count", "_sum"]}
    exported = {
        metric.name + suffix
        for metric in REGISTRY.collect()
        if metric.name.startswith("portal_")
        for suffix in suffixes.get(metric.type, [""])
    }
    dashboard = json.loads((ROOT / "docs" / "grafana-dashboard.json").read_text())
    queried = {
        name
        for panel in dashboard["panels"]
        for target in panel["targets"]
        for name in re.findall(r"portal_[a-z_]+", target["expr"])
    }
    assert queried and queried <= exported, queried - exported
