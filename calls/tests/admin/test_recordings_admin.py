"""Staff list their own project's recordings with a player, filtered by date, number, app user."""

from datetime import timedelta

import pytest
from django.utils import timezone

from calls.models import Recording
from calls.tests.factories import CallRecordFactory
from portal.models import Membership
from portal.tests.factories import AppUserFactory, VirtualNumberFactory

pytestmark = pytest.mark.django_db

LIST = "/admin/calls/recording/"


def _recording(project, name: str, *, number=None, user="", days_ago: int = 0):
    call = CallRecordFactory(project=project, virtual_number=number, from_user=user)
    recording = Recording.objects.create(
        project=project, call=call, url=f"https://api.stringee.com/v1/rec/{name}.mp3", payload={}
    )
    when = timezone.now() - timedelta(days=days_ago)
    Recording.objects.filter(pk=recording.pk).update(received_at=when)
    return recording


@pytest.fixture
def recordings(tenant_a, tenant_b):
    hotline = VirtualNumberFactory(project=tenant_a, number="+84899100001")
    sales = VirtualNumberFactory(project=tenant_a, number="+84899100002")
    AppUserFactory(project=tenant_a, user_id="alice")
    AppUserFactory(project=tenant_a, user_id="bob")
    AppUserFactory(project=tenant_b, user_id="bea_of_b")
    _recording(tenant_a, "a-hotline-alice", number=hotline, user="alice")
    _recording(tenant_a, "a-sales-bob", number=sales, user="bob", days_ago=10)
    _recording(tenant_b, "b-secret", user="bea_of_b")
    return hotline, sales


def _listed(client, params=None) -> list[str]:
    response = client.get(LIST, params or {})
    assert response.status_code == 200
    return sorted(r.url.rsplit("/", 1)[1] for r in response.context["cl"].result_list)


def test_staff_see_their_recordings_with_a_player_and_never_another_tenants(
    staff_client_for, tenant_a, recordings
):
    client = staff_client_for(tenant_a, Membership.Role.VIEWER)
    assert _listed(client) == ["a-hotline-alice.mp3", "a-sales-bob.mp3"]
    html = client.get(LIST).content.decode()
    played = Recording.objects.get(url__contains="a-hotline-alice")
    assert f'<audio controls preload="none" src="/admin/calls/recording/{played.pk}/audio/"' in html
    assert "b-secret" not in html and "bea_of_b" not in html  # not even in the filters


def test_another_tenants_recording_page_does_not_open(staff_client_for, tenant_a, recordings):
    theirs = Recording.objects.get(url__contains="b-secret")
    client = staff_client_for(tenant_a)
    assert client.get(f"{LIST}{theirs.pk}/change/").status_code in (302, 404)


def test_filters_by_number_app_user_and_date(staff_client_for, tenant_a, recordings):
    _hotline, sales = recordings
    client = staff_client_for(tenant_a)
    assert _listed(client, {"call__virtual_number__id__exact": sales.pk}) == ["a-sales-bob.mp3"]
    assert _listed(client, {"app_user": "alice"}) == ["a-hotline-alice.mp3"]
    assert _listed(client, {"received_at__gte": timezone.now().date().isoformat()}) == [
        "a-hotline-alice.mp3"
    ]


def test_a_superuser_sees_every_tenants_recordings(admin_client, recordings):
    assert len(_listed(admin_client)) == 3


@pytest.mark.parametrize(
    "query", ["app_user=nobody", "received_at__gte=junk", "call__virtual_number__id__exact=x"]
)
def test_junk_filters_are_never_a_server_error(staff_client_for, tenant_a, recordings, query):
    assert staff_client_for(tenant_a).get(f"{LIST}?{query}").status_code in (200, 302)
