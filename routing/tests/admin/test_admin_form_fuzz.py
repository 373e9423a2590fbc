"""Every admin form a tenant owner can reach answers junk with a page or a redirect, never a 500.

For each model registered on the admin site, the add form (if the owner may add) and the change
form of one of the owner's rows (if the owner may change it) are fetched, their fields read from
the page as a browser would (inline rows and management fields included), and Hypothesis posts
arbitrary values into every field: unicode, long text, "Mon-Fri", SQL, numbers out of range,
malformed dates and times, NUL. The answer must be 200 (the form with its errors) or 302 (saved).
The pages of our own forms outside the registry (the week of opening hours, releasing a number)
are fuzzed the same way.
"""

from __future__ import annotations

import os
import re
from datetime import time
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calls.demo import seed_demo_calls
from portal.devtools import demo
from portal.models import Membership, Project, VirtualNumber
from portal.tests.factories import ProjectFactory, VirtualNumberFactory
from routing.demo import seed_demo_routing
from routing.models import (
    ConferenceRoom,
    Holiday,
    MaskingPoolNumber,
    OpeningHours,
    RingGroup,
    RingGroupMember,
)
from routing.services import masking

pytestmark = pytest.mark.django_db

EXAMPLES_PER_FORM = int(os.environ.get("FUZZ_EXAMPLES", "4"))  # search harder: FUZZ_EXAMPLES=200
JUNK = [
    "",
    " ",
    "Mon-Fri",
    "1-5",
    "1,3,5",
    "Mon,Wed,Fri",
    "'; drop table routing_routingrule; --",
    '" OR 1=1 --',
    "<script>alert(1)</script>",
    "{{ 7*7 }}",
    "-1",
    "0",
    "1",
    "2147483648",
    "-9223372036854775809",
    "99999999999999999999999999999",
    "1e309",
    "NaN",
    "inf",
    "3.5",
    "2026-13-45",
    "0000-00-00",
    "9999-12-31 23:59:59",
    "25:61",
    "24:00",
    "00:00",
    "\x00",
    "abc\x00def",
    "☎️📞 Tiếng Việt",
    "١٢٣",
    "\u202e\u200b",
    "+84 90 123 4567",
    "0901234567",
    "^(a+)+$",
    "on",
    "true",
    "x" * 5000,
    "9" * 400,
]
TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=60)


class FormFields(HTMLParser):
    """The fields of the page's form as a browser would post them: name → (kind, default,
    choices)."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, tuple[str, str, list[str]]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and name != "csrfmiddlewaretoken":
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "reset", "file", "image"):
                return
            value = attrs.get("value") or ("on" if kind == "checkbox" else "")
            if kind == "checkbox" and "checked" not in attrs:
                value = ""
            self.fields[name] = (kind, value, [])
        elif tag == "select" and name:
            self._select = name
            self.fields[name] = ("select", "", [])
        elif tag == "option" and self._select:
            kind, value, choices = self.fields[self._select]
            choices.append(attrs.get("value") or "")
            if "selected" in attrs:
                value = attrs.get("value") or ""
            self.fields[self._select] = (kind, value, choices)
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ("textarea", "", [])

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            kind, value, choices = self.fields[self._textarea]
            self.fields[self._textarea] = (kind, value + data, choices)


def form_fields(html: str) -> dict[str, tuple[str, str, list[str]]]:
    parser = FormFields()
    parser.feed(html)
    return parser.fields


def junk_for(kind: str, default: str, choices: list[str]):
    """Anything at all, with the field's own values (and choices) among the candidates."""
    own = [default, *choices] if choices else [default]
    return st.one_of(st.sampled_from(JUNK), TEXT, st.sampled_from(own), st.integers().map(str))


@st.composite
def submissions(draw, fields: dict, baseline: dict):
    """A whole form: every field junk, or (to get past the first checks into the model's and the
    services') a valid-looking form with one to three fields junk."""
    names = sorted(fields)
    if draw(st.booleans(), label="every field"):
        junk = set(names)
    else:
        junk = draw(st.sets(st.sampled_from(names), min_size=1, max_size=3), label="junk fields")
    return {
        name: draw(junk_for(*fields[name]), label=name)
        if name in junk
        else baseline.get(name, fields[name][1])
        for name in names
    }


@pytest.fixture
def owner_world(db):
    """The demo tenant (rules, menus, numbers, calls) with one row of every tenant model, its
    owner, and another tenant next to it."""
    project = demo.seed_demo()
    seed_demo_routing(project)
    seed_demo_calls(project, count=10)
    pool = VirtualNumberFactory(project=project, number="+84899199900")
    MaskingPoolNumber.objects.create(project=project, number=pool)
    masking.masking_session_create(
        project=project, participant_a="+84901111111", participant_b="+84902222222"
    )
    OpeningHours.objects.create(project=project, weekday=1, opens=time(8), closes=time(17))
    Holiday.objects.create(project=project, date="2026-01-01", name="New year")
    group = RingGroup.objects.create(project=project, name="Sales", destination_kind="voicemail")
    RingGroupMember.objects.create(group=group, kind="user", user=project.app_users.first())
    ConferenceRoom.objects.create(project=project, name="Daily", stringee_room_id="room-1")
    other = ProjectFactory(name="Other tenant")
    VirtualNumberFactory(project=other, number="+84899199901")
    owner = Membership.objects.get(project=project, role=Membership.Role.OWNER).user
    return project, owner


def owner_pages(owner) -> list[str]:
    """The add and change forms of the registry that `owner` may post to."""
    request = RequestFactory().get("/admin/")
    request.user = owner
    pages = []
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        if not model_admin.has_module_permission(request):
            continue
        if model_admin.has_add_permission(request):
            pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
        obj = model_admin.get_queryset(request).order_by("pk").first()
        if obj is not None and model_admin.has_change_permission(request, obj):
            pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
    return pages


def fuzz_page(client: Client, url: str, after=None, baseline: dict | None = None) -> int:
    """Post EXAMPLES_PER_FORM junk submissions to the form at `url` (then call `after()`, to
    undo what a valid one did); returns how many fields the form has. Fields not made junk keep
    their value on the page, or in `baseline` (an existing row's, for an add form)."""
    page = client.get(url)
    assert page.status_code == 200, f"GET {url}: {page.status_code}"
    fields = form_fields(page.content.decode())
    assert fields, f"no form fields found on {url}"
    baseline = {name: spec[1] for name, spec in fields.items()} | (baseline or {})

    @settings(
        max_examples=EXAMPLES_PER_FORM,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=st.data())
    def post_junk(data):
        body = data.draw(submissions(fields, baseline))
        response = client.post(url, {**body, "_save": "Save"})
        assert response.status_code in (200, 302), f"POST {url}: {response.status_code}"
        if after is not None:
            after()

    post_junk()
    return len(fields)


def test_no_admin_form_answers_junk_with_a_server_error(owner_world):
    project, owner = owner_world
    client = Client()
    client.force_login(owner)
    pages = owner_pages(owner)
    number = VirtualNumber.objects.filter(project=project).order_by("pk").first()
    pages.append(reverse("admin:routing_openinghours_week", args=[project.pk]))
    release = reverse("admin:portal_virtualnumber_release", args=[number.pk])
    # Every tenant form is among them: the owner may add or change each of these models.
    expected = {
        "/admin/portal/project/",
        "/admin/portal/virtualnumber/",
        "/admin/portal/appuser/",
        "/admin/portal/membership/add/",
        "/admin/routing/routingrule/add/",
        "/admin/routing/ivrmenu/add/",
        "/admin/routing/ringgroup/add/",
        "/admin/routing/conferenceroom/add/",
        "/admin/routing/openinghours/add/",
        "/admin/routing/holiday/add/",
        "/admin/routing/maskingpoolnumber/add/",
        "/admin/routing/maskingsession/add/",
    }
    for prefix in expected:
        assert any(page.startswith(prefix) for page in pages), f"{prefix} not fuzzed"
    baselines = {}  # an add form starts from the change form's values of the same model
    for url in pages:
        model = re.match(r"/admin/\w+/\w+/", url).group(0)
        if url.endswith("/change/"):
            html = client.get(url).content.decode()
            baselines[model] = {name: spec[1] for name, spec in form_fields(html).items()}
    for url in pages:
        model = re.match(r"/admin/\w+/\w+/", url).group(0)
        fuzz_page(client, url, baseline=baselines.get(model) if url.endswith("/add/") else None)

    def take_it_back():  # a valid release took the number away: give it back for the next one
        VirtualNumber.objects.filter(pk=number.pk).update(
            project=project, status=VirtualNumber.Status.ASSIGNED, quarantined_until=None
        )

    fuzz_page(client, release, after=take_it_back)
    # The other tenant's rows were out of reach all along.
    assert Project.objects.filter(name="Other tenant").exists()
    assert VirtualNumber.objects.filter(number="+84899199901").exists()
