"""The demo tenant: the sample project of Stringee's answer_url documentation, as data.

`phone_number_1..4` follow the documented samples: 1 and 4 are the project's own numbers,
2 is an outside caller, 3 the outside phone that calls to number 4 are forwarded to.
"""

import secrets

from django.contrib.auth import get_user_model
from django.db import transaction

from portal.models import AppUser, Membership, Project, VirtualNumber

DEMO_PROJECT_ID = 1000
DEMO_API_KEY_SID = "SK.0.DemoTenantKey"
PHONE_NUMBER_1 = "+84899199866"  # project number, rings user_1 (flow 3) and is shown on app→phone
PHONE_NUMBER_2 = "+84901234567"  # an outside caller / callee
PHONE_NUMBER_3 = "+84909876543"  # outside phone that number 4 forwards to (flow 4)
PHONE_NUMBER_4 = "+84899199867"  # project number that forwards, hiding nothing but itself
INVENTORY = [f"+8489919987{i}" for i in range(10)]  # unassigned stock, for purchase demos
APP_USERS = [("user_1", "User One"), ("user_2", "User Two")]
ADMIN_USERNAME, ADMIN_PASSWORD = "admin", "admin"
OWNER_USERNAME, OWNER_PASSWORD = "demo_owner", "demo_owner"


def demo_exists() -> bool:
    return Project.objects.filter(stringee_project_id=DEMO_PROJECT_ID).exists()


@transaction.atomic
def seed_demo() -> Project:
    """Create (or complete) the demo tenant; running it again changes nothing."""
    project, _ = Project.objects.get_or_create(
        stringee_project_id=DEMO_PROJECT_ID,
        defaults={
            "name": "Demo tenant",
            "api_key_sid": DEMO_API_KEY_SID,
            "api_key_secret": secrets.token_urlsafe(32),
        },
    )
    for number in (PHONE_NUMBER_1, PHONE_NUMBER_4):
        VirtualNumber.objects.update_or_create(
            number=number,
            defaults={
                "project": project,
                "status": VirtualNumber.Status.ASSIGNED,
                "label": "Demo hotline",
            },
        )
    for number in INVENTORY:
        VirtualNumber.objects.get_or_create(number=number)
    for user_id, name in APP_USERS:
        AppUser.objects.get_or_create(
            project=project, user_id=user_id, defaults={"display_name": name}
        )
    _ensure_staff(project)
    return project


def _ensure_staff(project: Project) -> None:
    User = get_user_model()
    if not User.objects.filter(username=ADMIN_USERNAME).exists():
        User.objects.create_superuser(ADMIN_USERNAME, "admin@example.com", ADMIN_PASSWORD)
    owner = User.objects.filter(username=OWNER_USERNAME).first()
    if owner is None:
        owner = User.objects.create_user(OWNER_USERNAME, password=OWNER_PASSWORD, is_staff=True)
    Membership.objects.get_or_create(
        user=owner, project=project, defaults={"role": Membership.Role.OWNER}
    )


def describe(project: Project, *, new_secret: str = "") -> dict:
    """The demo tenant as the JSON that `seed_demo --json` prints.

    `new_secret` is the API key secret this run generated: it is printed by that run only, so
    that local programs can sign REST tokens; a later run has no secret to show.
    """
    return {
        "projectId": project.stringee_project_id,
        "name": project.name,
        "webhookToken": project.webhook_token,
        "apiKeySid": project.api_key_sid,
        **({"apiKeySecret": new_secret} if new_secret else {}),
        "answerUrl": project.answer_url,
        "eventUrl": project.event_url,
        "numbers": list(project.numbers.values_list("number", flat=True)),
        "inventory": list(
            VirtualNumber.objects.filter(status=VirtualNumber.Status.AVAILABLE).values_list(
                "number", flat=True
            )
        ),
        "users": list(project.app_users.values_list("user_id", flat=True)),
        "samples": {
            "phone_number_1": PHONE_NUMBER_1,
            "phone_number_2": PHONE_NUMBER_2,
            "phone_number_3": PHONE_NUMBER_3,
            "phone_number_4": PHONE_NUMBER_4,
        },
        "admin": {"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD},
        "owner": {"username": OWNER_USERNAME, "password": OWNER_PASSWORD},
    }
