"""The demo tenant's routing: rules reproducing the contract's four samples, and an IVR hotline.

Run by `manage.py seed_demo` after the tenant exists; running it again changes nothing. An app
user calling `hotline` reaches the menu (1 → user_1, 2 → user_2, 3 → the sales sub-menu).
"""

from typing import TypeVar

from django.db import models, transaction

from portal.devtools import demo
from portal.models import AppUser, Project, VirtualNumber
from routing.models import IvrMenu, IvrOption, RoutingRule
from routing.services import config as services

M = TypeVar("M", bound=models.Model)
CUSTOM_DATA = "test-custom-data"
HOTLINE = "hotline"


SAVERS = {
    RoutingRule: lambda obj: services.rule_save(rule=obj),
    IvrMenu: lambda obj: services.menu_save(menu=obj),
    IvrOption: lambda obj: services.option_save(option=obj),
}


def _upsert(model: type[M], lookup: dict, values: dict) -> M:
    """The object `lookup` finds (or a new one) with `values`, saved through the routing
    services."""
    obj = model._default_manager.filter(**lookup).first() or model(**lookup)
    for name, value in values.items():
        setattr(obj, name, value)
    obj.full_clean()
    return SAVERS[model](obj)  # type: ignore[index,return-value]


def _menus(project: Project, users: dict[str, AppUser]) -> IvrMenu:
    sales = _upsert(
        IvrMenu,
        {"project": project, "name": "Sales"},
        {"greeting_text": "Sales. Press 1 to reach our sales phone, 2 to hear our opening hours."},
    )
    _upsert(
        IvrOption,
        {"menu": sales, "digit": "1"},
        {"destination_kind": "phone", "destination_number": demo.PHONE_NUMBER_3},
    )
    _upsert(
        IvrOption,
        {"menu": sales, "digit": "2"},
        {
            "destination_kind": "message",
            "message_text": "We are open Monday to Friday, 8 am to 6 pm.",
        },
    )
    hotline = _upsert(
        IvrMenu,
        {"project": project, "name": "Demo hotline"},
        {
            "greeting_text": "Welcome to the demo hotline. "
            "Press 1 for User One, 2 for User Two, 3 for sales.",
            "max_retries": 2,
        },
    )
    _upsert(
        IvrOption,
        {"menu": hotline, "digit": "1"},
        {"destination_kind": "user", "destination_user": users["user_1"]},
    )
    _upsert(
        IvrOption,
        {"menu": hotline, "digit": "2"},
        {"destination_kind": "user", "destination_user": users["user_2"]},
    )
    _upsert(
        IvrOption,
        {"menu": hotline, "digit": "3"},
        {"destination_kind": "menu", "destination_menu": sales},
    )
    return hotline


@transaction.atomic
def seed_demo_routing(project: Project) -> None:
    """Create (or restore) the demo rules and menus of `project`."""
    users = {user.user_id: user for user in project.app_users.all()}
    number_1 = VirtualNumber.objects.get(number=demo.PHONE_NUMBER_1, project=project)
    number_4 = VirtualNumber.objects.get(number=demo.PHONE_NUMBER_4, project=project)
    hotline = _menus(project, users)
    rules = [
        ("Flow 1: app user calls app user", 10, {"direction": "app", "called_kind": "any_user"}),
        (
            "IVR hotline for app users",
            20,
            {
                "direction": "app",
                "called_kind": "pattern",
                "called_pattern": f"^{HOTLINE}$",
                "destination_kind": "menu",
                "destination_menu": hotline,
            },
        ),
        (
            "Flow 2: app user calls a phone",
            30,
            {
                "direction": "app",
                "called_kind": "pattern",
                "called_pattern": "84",
                "destination_kind": "phone",
                "caller_id": number_1,
            },
        ),
        (
            "Flow 3: number 1 rings user_1",
            40,
            {
                "direction": "phone",
                "called_kind": "number",
                "called_number": number_1,
                "destination_user": users["user_1"],
            },
        ),
        (
            "Flow 4: number 4 forwards to phone 3",
            50,
            {
                "direction": "phone",
                "called_kind": "number",
                "called_number": number_4,
                "destination_kind": "phone",
                "destination_number": demo.PHONE_NUMBER_3,
                "caller_id": number_4,
            },
        ),
    ]
    for name, priority, values in rules:
        defaults = {"destination_kind": "user", "custom_data": CUSTOM_DATA, "priority": priority}
        _upsert(RoutingRule, {"project": project, "name": name}, {**defaults, **values})  # type: ignore[dict-item]
