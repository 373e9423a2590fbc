"""Every admin page a tenant owner reaches runs at most 15 SQL queries, however many rows it shows.

The pages are found, not listed: the dashboard and each app's index; for every model of the
admin site the owner may see, its list, add form, the change form, history and delete page of
its first row, the autocompletes of its forms and inline rows, and the extra views of its
`get_urls` (simulate a call, the week of opening hours, releasing a number, CSV exports...). A
newly registered model or view is walked without editing this file.

Two tenants are built in three equal batches (numbers, app users, rules, IVR menus, ring groups,
the masking pool and sessions, opening hours, holidays, rooms, calls with events, decisions and
recordings, API keys, colleagues), each batch adding rows that point to the first ones: in the
end the hotline menu has nine keys, the sales group three members, the main number and agent
are used by three times as many rules, keys and members. Each page is counted with an empty
cache after the first batch and after the third: within the budget both times (the exceptions
below say why), and no more queries for three times the rows (a query per row, an "N+1",
grows). Superusers' pages are counted on the same data: they answer and do not grow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from calls.models import CallDecision, Recording
from calls.tests.factories import CallEventFactory, CallRecordFactory
from portal import services as portal_services
from portal.models import Membership, Project, WebhookSignatureFailure
from portal.tenancy.policy import projects_for
from portal.tests.factories import (
    AppUserFactory,
    MembershipFactory,
    ProjectFactory,
    VirtualNumberFactory,
)
from routing.models import (
    ConferenceRoom,
    Holiday,
    IvrMenu,
    IvrOption,
    MaskingPoolNumber,
    OpeningHours,
    RingGroup,
    RingGroupMember,
    RoutingErrorLog,
    RoutingRule,
)
from routing.services import config as routing_services
from routing.services import masking

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_at_once")]

BUDGET = 15
BATCHES = 3
# Pages allowed more, and why (none today).
OVER_BUDGET: dict[str, int] = {}
# Figures stored on a page's first view (the dashboard's daily rollups): the budget holds once
# they are; the first view counts the missing days (two grouped queries each, docs/admin.md).
CACHED = {"dashboard"}
STOCK_VIEWS = ("_changelist", "_add", "_change", "_history", "_delete")
# Extra views tenant staff may not open: the inventory is stocked by the portal's administrators.
SUPERUSERS_ONLY = {
    "portal_virtualnumber_import",
    "portal_virtualnumber_read_stringee",
    "portal_project_create_on_stringee",
}
# Where a form posts to, not a page (405 to a GET, or back to the list: asking for an export).
POST_ONLY = {
    "portal_virtualnumber_process_import",
    "calls_callrecord_export",
    "calls_callevent_export",
    "portal_auditentry_export",
    # "What changes?" on the routing pages: the page's form, posted and replayed, nothing saved.
    "routing_routingrule_what_changes",
    "routing_ivrmenu_what_changes",
    "routing_ringgroup_what_changes",
    "routing_openinghours_week_what_changes",
}
# A recording's audio (streamed from Stringee or the portal's copy; calls/tests/recordings/), not
# a page.
NOT_PAGES = {"calls_recording_audio"}
# A view that only chooses a project goes straight to it for staff with one project.
CHOOSERS = {"routing_simulate_choose", "routing_openinghours_week_choose", "calls_try_choose"}
# Pages the walk must find among others (a walk that finds fewer fails).
EXPECTED = {
    "dashboard",
    "ivrmenu change",
    "ringgroup change",
    "routing_simulate",
    "routing_openinghours_week",
    "calls_try_call",  # try a call
    "project change",  # where calls go
    "virtualnumber change",
    "auditentry list",  # change history
    "membership add",  # invite a colleague
    "apikey list",
    "recording list",
    "callrecord change",  # a call's story
}


@dataclass(frozen=True)
class Page:
    name: str
    url: str
    status: int = 200


def _request_as(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _autocompletes(model_admin, request, obj) -> list[Page]:
    """The autocomplete lookups a browser makes on the model's form and its inline rows."""
    forms = [(model_admin.model, model_admin)] + [
        (inline.model, inline) for inline in model_admin.get_inline_instances(request, obj)
    ]
    pages = []
    for model, form_admin in forms:
        for field in form_admin.get_autocomplete_fields(request):
            opts = model._meta
            query = f"app_label={opts.app_label}&model_name={opts.model_name}&field_name={field}"
            pages.append(
                Page(f"autocomplete {opts.model_name}.{field}", f"/admin/autocomplete/?{query}")
            )
    return pages


def _extra_views(model_admin, obj, project: Project, user) -> list[Page]:
    """The views a model admin adds to the stock ones (its `get_urls`), their arguments filled."""
    values = {
        "object_id": obj.pk if obj is not None else None,
        "project_id": project.pk,
        "stringee_project_id": project.stringee_project_id,
    }
    pages = []
    for pattern in model_admin.get_urls():
        name = getattr(pattern, "name", None)
        if not name or name.endswith(STOCK_VIEWS) or name in POST_ONLY | NOT_PAGES:
            continue
        kwargs = {key: values.get(key) for key in pattern.pattern.converters}
        if None in kwargs.values():
            continue  # no row to open it on
        status = 200
        if name in SUPERUSERS_ONLY and not user.is_superuser:
            status = 403
        elif name in CHOOSERS and projects_for(user).count() == 1:
            status = 302
        pages.append(Page(name, reverse(f"admin:{name}", kwargs=kwargs), status))
    return pages


def admin_pages(user) -> list[Page]:
    """Every admin page `user` reaches, from the admin site's registry."""
    request = _request_as(user)
    project = projects_for(user).order_by("pk").first()
    pages = [Page("dashboard", reverse("admin:index"))]
    app_labels = []
    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_module_permission(request):
            continue
        opts = model._meta
        prefix = f"admin:{opts.app_label}_{opts.model_name}"
        if opts.app_label not in app_labels:
            app_labels.append(opts.app_label)
        obj = model_admin.get_queryset(request).order_by("pk").first()
        if model_admin.has_view_permission(request):
            pages.append(Page(f"{opts.model_name} list", reverse(f"{prefix}_changelist")))
        if model_admin.has_add_permission(request):
            pages.append(Page(f"{opts.model_name} add", reverse(f"{prefix}_add")))
        if obj is not None and model_admin.has_view_permission(request, obj):
            for view in ("change", "history"):
                url = reverse(f"{prefix}_{view}", args=[obj.pk])
                pages.append(Page(f"{opts.model_name} {view}", url))
        if obj is not None and model_admin.has_delete_permission(request, obj):
            url = reverse(f"{prefix}_delete", args=[obj.pk])
            pages.append(Page(f"{opts.model_name} delete", url))
        pages += _autocompletes(model_admin, request, obj)
        pages += _extra_views(model_admin, obj, project, user)
    for label in app_labels:
        pages.append(Page(f"{label} index", reverse("admin:app_list", args=[label])))
    return pages


def count_queries(client, page: Page, cold: bool = True) -> int:
    """Queries of one page; `cold`: with an empty cache (routing tables, dashboard days)."""
    if cold:
        cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(page.url)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == page.status, f"{page.name} {page.url}: {response.status_code}"
    return len(captured)


def walk(client, user) -> dict[str, int]:
    """Each page `user` reaches and its queries, with an empty cache."""
    user = get_user_model().objects.get(pk=user.pk)  # roles read afresh
    client.force_login(user)
    client.get("/admin/")  # a session's first page remembers the staff member's time zone
    ContentType.objects.get_for_models(*apps.get_models())  # known to a running process
    return {page.name: count_queries(client, page) for page in admin_pages(user)}


# --- the tenant ---------------------------------------------------------------------------------


def _decisions(rule: RoutingRule, menu: IvrMenu, group: RingGroup) -> list[dict]:
    """What the answer_url and the IVR logged for a call sent to `menu`, key 3 to `group`."""
    base = f"https://portal.example.com/{{}}/{rule.project.stringee_project_id}/token/"
    return [
        {
            "rule": rule.pk,
            "rule_name": rule.name,
            "reason": f"rule “{rule.name}” matched; menu “{menu.name}”",
            "scco": [{"action": "input", "eventUrl": base.format("ivr") + f"{menu.pk}/1/"}],
        },
        {
            "rule": None,
            "reason": f"key 3 pressed: ring group “{group.name}”",
            "scco": [{"action": "connect", "eventUrl": base.format("ring") + f"{group.pk}/0/"}],
        },
    ]


def _first_rows(project: Project) -> None:
    """The rows every batch adds to: the main number and agent, the hotline menu, the sales
    group and the call whose story is told (each the first of its kind, so the first row a
    page opens)."""
    number = VirtualNumberFactory(project=project)
    agent = AppUserFactory(project=project)
    routing_services.menu_save(
        menu=IvrMenu(project=project, name="Hotline", greeting_text="Press a key.")
    )
    routing_services.group_save(group=RingGroup(project=project, name="Sales", caller_id=number))
    CallRecordFactory(project=project, virtual_number=number, to_number=number.number)
    MaskingPoolNumber.objects.create(project=project, number=VirtualNumberFactory(project=project))
    assert agent.pk and number.pk


def add_batch(project: Project, batch: int) -> None:
    """A third of a busy tenant: every kind of row, and more rows pointing to the first ones."""
    if batch == 0:
        _first_rows(project)
    number = project.numbers.order_by("pk").first()
    agent = project.app_users.order_by("pk").first()
    hotline, sales = project.ivr_menus.get(name="Hotline"), project.ring_groups.get(name="Sales")
    call = project.call_records.order_by("pk").first()
    assert number and agent and call
    numbers = [VirtualNumberFactory(project=project) for _ in range(2)]
    users = [AppUserFactory(project=project) for _ in range(2)]
    billing = routing_services.menu_save(
        menu=IvrMenu(
            project=project,
            name=f"Billing {batch}",
            greeting_text="Billing.",
            destination_kind="group",
            destination_group=sales,
        )
    )
    support = routing_services.group_save(
        group=RingGroup(project=project, name=f"Support {batch}", caller_id=numbers[0])
    )
    keys = [
        {"destination_kind": "user", "destination_user": agent},
        {"destination_kind": "menu", "destination_menu": billing},
        {"destination_kind": "group", "destination_group": support},
    ]
    for digit, key in zip("123456789"[batch * 3 : batch * 3 + 3], keys, strict=True):
        routing_services.option_save(option=IvrOption(menu=hotline, digit=digit, **key))
    for group, member in (
        (sales, {"kind": "user", "user": users[0]}),
        (sales, {"kind": "phone", "number": f"+849090001{batch:02d}"}),
        (support, {"kind": "user", "user": agent}),
    ):
        RingGroupMember.objects.create(group=group, position=batch, **member)
    rules = [
        RoutingRule(
            project=project,
            name=f"Number {batch} rings the agent",
            priority=batch * 10,
            called_kind="number",
            called_number=number,
            destination_user=agent,
            caller_id=numbers[1],
        ),
        RoutingRule(
            project=project,
            name=f"Hotline {batch}",
            priority=batch * 10 + 1,
            called_kind="user",
            called_user=users[1],
            destination_kind="menu",
            destination_menu=hotline,
        ),
        RoutingRule(
            project=project,
            name=f"Sales {batch}",
            priority=batch * 10 + 2,
            called_kind="pattern",
            called_pattern="8428",
            destination_kind="group",
            destination_group=sales,
            caller_id=number,
        ),
    ]
    for rule in rules:
        routing_services.rule_save(rule=rule)
    MaskingPoolNumber.objects.create(project=project, number=numbers[1])
    # pk % 100: a valid phone number however far the database's id sequence has run
    masking.masking_session_create(
        project=project,
        participant_a=f"+8490300{project.pk % 100:02d}{batch:02d}",
        participant_b=agent.user_id,
    )
    for weekday in (batch * 2 + 1, batch * 2 + 2):
        OpeningHours.objects.create(
            project=project, weekday=weekday, opens=time(8), closes=time(17)
        )
    Holiday.objects.create(project=project, date=date(2026, 1, 1 + batch), name=f"Holiday {batch}")
    ConferenceRoom.objects.create(
        project=project, name=f"Room {batch}", stringee_room_id=f"r-{batch}"
    )
    decisions = _decisions(rules[1], hotline, sales)
    calls = [call] + [
        CallRecordFactory(project=project, virtual_number=number, routing=decisions)
        for _ in range(2)
    ]
    for record in calls:
        for status in ("ringing", "answered"):
            CallEventFactory(project=project, call_id=record.call_id, status=status)
        Recording.objects.create(
            project=project,
            call=record,
            url=f"https://files.example.com/{record.call_id}-{batch}.mp3",
            format="mp3",
            duration_seconds=42,
            payload={},
        )
        RoutingErrorLog.objects.create(
            project=project, call_id=record.call_id, error="No rule matched."
        )
    CallDecision.objects.bulk_create(
        CallDecision(
            project=project,
            call_id=call.call_id,
            token=f"told-{batch}-{index}",
            parked_us=batch * 10 + index,
            decision=decision,
        )
        for index, decision in enumerate(decisions)
    )
    WebhookSignatureFailure.objects.create(project=project, path="/event_url/…/", reason="missing")
    portal_services.api_key_create(project=project, name=f"Program {batch}")
    MembershipFactory(project=project, role=Membership.Role.OPERATOR)


@pytest.fixture
def tenants():
    """The owner's tenant and another one beside it, each grown by `grow()` one batch a call."""
    mine, other = ProjectFactory(name="Mine"), ProjectFactory(name="Other")
    owner = MembershipFactory(project=mine, role=Membership.Role.OWNER).user
    MembershipFactory(project=other, role=Membership.Role.OWNER)
    grown = []

    def grow() -> None:
        for project in (mine, other):
            add_batch(project, len(grown))
        grown.append(1)

    return owner, grow


def walk_small_and_big(client, user, grow) -> tuple[dict[str, int], dict[str, int]]:
    """`user`'s walk after the tenants' first batch, and after their last."""
    grow()
    small = walk(client, user)
    for _ in range(BATCHES - 1):
        grow()
    return small, walk(client, user)


def _grown(small: dict[str, int], big: dict[str, int]) -> dict[str, tuple[int, int]]:
    return {name: (small[name], count) for name, count in big.items() if count > small[name]}


def test_every_owner_page_stays_within_budget_and_does_not_grow_with_rows(client, tenants):
    owner, grow = tenants
    small, big = walk_small_and_big(client, owner, grow)
    assert set(big) >= EXPECTED, EXPECTED - set(big)
    assert not _grown(small, big), _grown(small, big)
    for counts in (small, big):
        over = {
            name: count
            for name, count in counts.items()
            if name not in CACHED and count > OVER_BUDGET.get(name, BUDGET)
        }
        assert not over, over
    pages = {page.name: page for page in admin_pages(owner)}
    for name in CACHED:
        count_queries(client, pages[name])  # fills the cache
        assert count_queries(client, pages[name], cold=False) <= BUDGET, name


def test_every_superuser_page_answers_and_does_not_grow_with_rows(client, tenants, admin_user):
    """Superusers see every tenant: their counts are reported, not held to the tenant budget."""
    _owner, grow = tenants
    small, big = walk_small_and_big(client, admin_user, grow)
    assert set(big) >= {"dashboard", "project delete", "portal_virtualnumber_import"}
    assert not _grown(small, big), _grown(small, big)
