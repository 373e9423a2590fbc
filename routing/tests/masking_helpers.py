"""A tenant with a masking pool, and sessions opened the way the API opens them."""

from portal.api.authentication import make_rest_token
from portal.models import Project
from portal.tests.factories import VirtualNumberFactory
from routing.models import MaskingPoolNumber, MaskingSession
from routing.services import masking

DRIVER = "+84901111111"
RIDER = "+84902222222"


def add_pool(project: Project, *numbers: str) -> list:
    """Assign `numbers` to the project and put them in its masking pool."""
    created = []
    for number in numbers:
        virtual = VirtualNumberFactory(project=project, number=number)
        MaskingPoolNumber.objects.create(project=project, number=virtual)
        created.append(virtual)
    return created


def open_session(
    project: Project, a: str = DRIVER, b: str = RIDER, minutes: int = 30
) -> MaskingSession:
    return masking.masking_session_create(
        project=project, participant_a=a, participant_b=b, ttl_seconds=minutes * 60
    )


def api_post(client, project: Project, url: str, body: dict | None = None):
    return client.post(
        url,
        body or {},
        content_type="application/json",
        HTTP_X_STRINGEE_AUTH=make_rest_token(project),
    )
