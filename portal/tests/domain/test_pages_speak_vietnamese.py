"""Every admin page a tenant owner reaches, rendered in Vietnamese, shows none of the portal's own
English strings: each page reached by following links from the dashboard (one of each kind, the
demo tenant's objects present) is read text by text against the catalogue's English entries."""

from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User

from calls.demo import seed_demo_calls
from portal.devtools import demo
from portal.devtools.message_catalog import read_catalog
from portal.tests.helpers import admin_pages
from routing.demo import seed_demo_routing

pytestmark = pytest.mark.django_db
CATALOG = Path(settings.BASE_DIR) / "locale" / "vi" / "LC_MESSAGES" / "django.po"
# Words Vietnamese staff read as they are (names of things, units, codes).
SAME_IN_BOTH = {"IVR", "SIP", "SCCO", "API", "Stringee", "CSV", "E.164", "OK", "Email", "URL"}


class _Texts(HTMLParser):
    """The text a reader sees: text nodes, and the labels of buttons and choices."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "pre", "code"):
            self._skip += 1
        values = dict(attrs)
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.texts.append(values["value"])
        if values.get("title"):
            self.texts.append(values["title"])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "pre", "code") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.texts.append(data)


def _english_strings() -> set[str]:
    """The catalogue's English texts that Vietnamese readers get in other words."""
    english = set()
    for entry in read_catalog(CATALOG):
        if not entry.msgid or "obsolete" in entry.flags or "%" in entry.msgid:
            continue
        text = entry.msgid.strip()
        if text in SAME_IN_BOTH or len(text) < 3 or not any(c.isalpha() for c in text):
            continue
        if entry.is_translated and entry.msgstr.get(0, "").strip() != text:
            english.add(text)
    return english


def _shown(text: str) -> str:
    return " ".join(text.split()).rstrip(":").strip()


def test_no_page_an_owner_reaches_shows_the_portals_english_in_vietnamese(client):
    project = demo.seed_demo()
    seed_demo_routing(project)
    seed_demo_calls(project, count=40, days=3)
    client.force_login(User.objects.get(username=demo.OWNER_USERNAME))
    client.cookies["django_language"] = "vi"
    english = _english_strings()
    assert len(english) > 500  # the catalogue was read
    found: dict[str, set[str]] = {}
    pages = 0
    for path, response in admin_pages(client, per_shape=1):
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        pages += 1
        reader = _Texts()
        reader.feed(response.content.decode())
        untranslated = {_shown(text) for text in reader.texts} & english
        if untranslated:
            found[path] = untranslated
    assert pages > 30
    assert not found, "\n".join(f"{path}: {sorted(texts)}" for path, texts in found.items())
