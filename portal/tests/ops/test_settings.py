"""Production settings: no default SECRET_KEY, a clean `check --deploy`, throttled admin logins."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from portal.tests.factories import StaffUserFactory

BASE_DIR = Path(__file__).resolve().parents[3]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x7Gq-production-like-key-for-the-deploy-check-0123456789-abcdefghij",
    "ALLOWED_HOSTS": "portal.example.com",
    "SECURE_SSL_REDIRECT": "true",
    "SESSION_COOKIE_SECURE": "true",
    "CSRF_COOKIE_SECURE": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
    "SECURE_PROXY_SSL_HEADER": "true",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    """`manage.py args` in a fresh process with only `env` on top of PATH and the database."""
    base = {key: os.environ[key] for key in ("PATH", "HOME", "DATABASE_URL") if key in os.environ}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_check_deploy_with_production_settings_reports_nothing():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_without_secret_key_or_debug_the_portal_refuses_to_start():
    result = manage("check", DEBUG="false")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "SECRET_KEY" in result.stderr


@pytest.mark.parametrize("empty", ["", "   "])
def test_an_empty_secret_key_is_refused_at_start_like_a_missing_one(empty):
    result = manage("check", DEBUG="false", SECRET_KEY=empty)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "SECRET_KEY" in result.stderr
    assert "missing or empty" in result.stderr


def test_a_session_idle_time_under_a_minute_is_refused_at_start():
    result = manage("check", DEBUG="true", SESSION_IDLE_MINUTES="0")
    assert result.returncode != 0
    assert "SESSION_IDLE_MINUTES" in result.stderr


def test_debug_runs_start_without_a_secret_key():
    assert manage("check", DEBUG="true").returncode == 0


@pytest.mark.django_db
def test_six_bad_admin_logins_lock_the_account_from_that_address(client):
    user = StaffUserFactory(username="alice")
    user.set_password("right-password-123")
    user.save()
    statuses = [
        client.post("/admin/login/", {"username": "alice", "password": "wrong"}).status_code
        for _ in range(6)
    ]
    assert statuses == [200, 200, 200, 200, 429, 429]  # the 5th failure locks (AXES_FAILURE_LIMIT)
    locked = client.post("/admin/login/", {"username": "alice", "password": "right-password-123"})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_good_login_after_a_few_mistakes_still_works(client):
    user = StaffUserFactory(username="bob")
    user.set_password("right-password-123")
    user.save()
    for _ in range(3):
        client.post("/admin/login/", {"username": "bob", "password": "wrong"})
    response = client.post("/admin/login/", {"username": "bob", "password": "right-password-123"})
    assert response.status_code == 302
