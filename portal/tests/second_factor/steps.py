"""Signing in as a person does, through the admin's forms: the password (django-axes watching),
then the second factor."""

import re

from django.test import Client

from portal.devtools.second_factor import code_for, code_from_secret


def sign_in_with_password(client: Client, user, password: str = "pw"):
    """The login form's POST; the response (a redirect)."""
    return client.post(
        "/admin/login/?next=/admin/", {"username": user.get_username(), "password": password}
    )


def shown_secret(html: str) -> str:
    found = re.search(r'id="second-factor-secret"[^>]*>([^<]+)<', html)
    assert found, "the enrolment page shows no secret"
    return found.group(1)


def enrol_through_the_page(client: Client) -> tuple[str, list[str]]:
    """Set up an app from the enrolment page as a person would: (the secret shown, the recovery
    codes shown)."""
    page = client.get("/admin/second-factor/enrol/").content.decode()
    secret = shown_secret(page)
    done = client.post("/admin/second-factor/enrol/", {"code": code_from_secret(secret)})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", done.content.decode())
    return secret, codes


def verify(client: Client, user, code: str | None = None):
    return client.post("/admin/second-factor/verify/", {"code": code or code_for(user)})
