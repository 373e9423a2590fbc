"""Refuse to serve with an insecure configuration: say what is wrong and exit non-zero.

`make serve` and the container run this before gunicorn starts. It checks what Django's
`check --deploy` only warns about or cannot know (the key came from the environment, the hosts
were chosen), then runs Django's deploy checks and fails on their errors.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

DEVELOPMENT_KEY_PREFIX = "django-insecure"
MIN_SECRET_KEY_LENGTH = 50


def production_problems() -> list[str]:
    """Each reason the current settings must not face the internet; empty when they may."""
    problems = []
    key = settings.SECRET_KEY
    if not os.environ.get("SECRET_KEY", "").strip():
        problems.append("SECRET_KEY is not set in the environment (or .env).")
    elif key.startswith(DEVELOPMENT_KEY_PREFIX) or key.startswith("change-me"):
        problems.append("SECRET_KEY is the development or example key; generate a new one.")
    elif len(key) < MIN_SECRET_KEY_LENGTH or len(set(key)) < 5:
        problems.append(
            f"SECRET_KEY is too short or too simple (at least {MIN_SECRET_KEY_LENGTH} characters)."
        )
    if settings.DEBUG:
        problems.append("DEBUG is on; set DEBUG=false.")
    if not os.environ.get("ALLOWED_HOSTS"):
        problems.append("ALLOWED_HOSTS is not set; list the host names this server answers to.")
    elif "*" in settings.ALLOWED_HOSTS:
        problems.append("ALLOWED_HOSTS contains '*'; list the host names explicitly.")
    return problems


class Command(BaseCommand):
    help = "Fail (exit 1, with the reasons) if the configuration is not fit for production."

    def handle(self, *args: object, **options: object) -> None:
        problems = production_problems()
        if problems:
            raise CommandError("Refusing to serve:\n  - " + "\n  - ".join(problems))
        call_command("check", deploy=True, fail_level="ERROR")
        self.stdout.write("Production configuration ok.")
