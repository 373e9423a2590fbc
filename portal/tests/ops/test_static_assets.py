"""Every page loads its assets from the portal itself (no CDN), and WhiteNoise serves them with
DEBUG off."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db
CDN = re.compile(r"cdn\.|jsdelivr|unpkg|googleapis|cloudflare", re.I)


def asset_urls(html: str) -> list[str]:
    return re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_api_docs_come_from_local_assets(admin_client, path):
    html = admin_client.get(path).content.decode()
    assert "drf_spectacular_sidecar" in html
    assert not CDN.search(html)


@pytest.mark.parametrize(
    "path", ["/admin/", "/admin/routing/routingrule/add/", "/admin/portal/project/"]
)
def test_staff_pages_load_nothing_from_outside(admin_client, path):
    html = admin_client.get(path).content.decode()
    urls = asset_urls(html)
    assert urls and all(url.startswith("/") and not url.startswith("//") for url in urls), urls


def test_the_rule_form_loads_the_conditional_fields_script(admin_client):
    assert (
        "portal/conditional_fields.js"
        in admin_client.get("/admin/routing/routingrule/add/").content.decode()
    )


def test_whitenoise_serves_collected_files_with_debug_off(settings, tmp_path):
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path
    call_command("collectstatic", interactive=False, verbosity=0, stdout=StringIO())
    client = Client()
    for path in (
        "/static/vendor/chartjs/chart.umd.min.js",
        "/static/portal/portal.css",
        "/static/admin/css/base.css",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        response.close()
