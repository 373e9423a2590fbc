"""check_production: refuses the development key, DEBUG and implicit hosts, with reasons."""

import pytest
from django.core.management import CommandError, call_command

GOOD_KEY = "k" * 30 + "3Xq9-vT2pLm8Zr4Ws6Yb1Nc5Hd7Jf0Ge"


@pytest.fixture
def production(monkeypatch, settings):
    monkeypatch.setenv("SECRET_KEY", GOOD_KEY)
    monkeypatch.setenv("ALLOWED_HOSTS", "portal.example.com")
    settings.SECRET_KEY = GOOD_KEY
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["portal.example.com"]
    return settings


def refusal() -> str:
    with pytest.raises(CommandError) as refused:
        call_command("check_production")
    return str(refused.value)


def test_a_production_configuration_passes(production, capsys):
    call_command("check_production")
    assert "Production configuration ok." in capsys.readouterr().out


def test_a_missing_secret_key_is_refused(production, monkeypatch):
    monkeypatch.delenv("SECRET_KEY")
    assert "SECRET_KEY is not set" in refusal()


def test_an_empty_secret_key_is_refused(production, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "")
    assert "SECRET_KEY is not set" in refusal()


def test_the_development_key_is_refused(production, monkeypatch):
    key = "django-insecure-local-development-key-change-me"
    monkeypatch.setenv("SECRET_KEY", key)
    production.SECRET_KEY = key
    assert "development or example key" in refusal()


def test_debug_is_refused(production):
    production.DEBUG = True
    assert "DEBUG is on" in refusal()


def test_implicit_or_wildcard_hosts_are_refused(production, monkeypatch):
    monkeypatch.delenv("ALLOWED_HOSTS")
    assert "ALLOWED_HOSTS is not set" in refusal()
    monkeypatch.setenv("ALLOWED_HOSTS", "*")
    production.ALLOWED_HOSTS = ["*"]
    assert "contains '*'" in refusal()
