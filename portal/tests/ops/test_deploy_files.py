"""Dockerfile and compose.yaml agree with `make serve`: no Docker daemon here, so read them."""

import os
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]


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


def test_compose_runs_a_worker_that_shares_the_apps_settings_and_export_files():
    services = compose()["services"]
    worker, app = services["worker"], services["app"]
    assert worker["command"][-2:] == ["manage.py", "run_worker"]
    assert worker["environment"] == app["environment"]
    assert "exports:/app/exports" in worker["volumes"] and "exports:/app/exports" in app["volumes"]
    assert worker["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "exports" in compose()["volumes"]


def test_compose_answers_call_setup_on_workers_of_its_own():
    services = compose()["services"]
    setup, app = services["call-setup"], services["app"]
    assert setup["environment"]["PORTAL_POOL"] == "call_setup"
    assert setup["environment"]["DATABASE_URL"] == app["environment"]["DATABASE_URL"]
    port = setup["environment"]["PORT"]
    assert any(mapping.endswith(f":{port}") for mapping in setup["ports"])
    # Stringee is given the call-setup server's address for answers, the app's for events.
    assert app["environment"]["CALL_SETUP_BASE_URL"].endswith(f":{port}}}")


def test_make_serve_answers_call_setup_on_its_own_gunicorn_stopped_with_the_server():
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\nserve: install\n", 1)[1].split("\n\n", 1)[0]
    setup_line = next(line for line in recipe.splitlines() if "PORTAL_POOL=call_setup" in line)
    assert "$(CALL_SETUP_WORKERS)" in setup_line
    assert "-b 127.0.0.1:$(CALL_SETUP_PORT) & setup=$$!" in recipe
    assert "trap 'kill $$worker $$setup" in recipe
    assert "serve: CALL_SETUP_BASE_URL ?= http://127.0.0.1:$(CALL_SETUP_PORT)" in makefile


def test_make_run_and_make_serve_start_the_worker_and_stop_it_with_the_server():
    makefile = (ROOT / "Makefile").read_text()
    for target in ("run", "serve"):
        recipe = makefile.split(f"\n{target}: install\n", 1)[1].split("\n\n", 1)[0]
        assert "manage.py run_worker" in recipe and "& worker=$$!" in recipe, target
        assert "trap 'kill $$worker" in recipe and "INT TERM EXIT" in recipe, target


def test_dockerfile_serves_like_make_serve():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "FROM python:3.11" in dockerfile
    assert "check_production" in dockerfile and "portal.gunicorn_conf" in dockerfile
    assert "collectstatic" in dockerfile and "/readyz" in dockerfile
    assert "USER portal" in dockerfile
    assert "chown -R portal /app/staticfiles /app/exports" in dockerfile


def test_grafana_dashboard_queries_only_series_the_portal_exports():
    import json

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


def _build_commands(dockerfile: str) -> list[str]:
    """The `manage.py` commands the image's RUN steps run once the tree is copied in, each with
    its own variables (`SECRET_KEY=… python manage.py …`)."""
    after_copy = dockerfile.split("\nCOPY . .\n", 1)[1]
    commands = []
    for step in re.findall(r"^RUN (.+?)(?<!\\)$", after_copy, flags=re.M | re.S):
        for command in step.replace("\\\n", " ").split("&&"):
            if "manage.py" in command:
                commands.append(" ".join(command.split()))
    return commands


def test_the_image_serves_vietnamese_staff_in_vietnamese(tmp_path):
    """The image compiles the translations: its build commands, run on a copy of the tree
    without any compiled catalogue, leave one that speaks Vietnamese."""
    import gettext
    import shutil
    import subprocess
    import sys

    commands = _build_commands((ROOT / "Dockerfile").read_text())
    assert any("compilemessages" in command for command in commands), commands
    app = tmp_path / "app"
    app.mkdir()
    for name in ("manage.py", "portal", "routing", "calls", "templates", "locale"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(
                source, app / name, ignore=shutil.ignore_patterns("*.mo", "__pycache__")
            )
        else:
            shutil.copy(source, app / name)
    catalogue = app / "locale" / "vi" / "LC_MESSAGES" / "django.mo"
    assert not catalogue.exists()
    environment = {"PATH": os.environ["PATH"], "DEBUG": "false", "HOME": str(tmp_path)}
    for command in commands:
        command = command.replace("python ", f"{sys.executable} ", 1)
        subprocess.run(
            ["sh", "-c", command], cwd=app, env=environment, check=True, capture_output=True
        )
    with catalogue.open("rb") as file:
        assert gettext.GNUTranslations(file).gettext("Dashboard") == "Bảng điều khiển"
