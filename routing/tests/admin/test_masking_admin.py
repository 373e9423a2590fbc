"""Masking sessions are opened from the admin with the API's service (a free pool number, both
participants bound); its refusals show on the form."""

import pytest

from portal.models import Membership
from portal.tests.factories import AppUserFactory
from routing.models import MaskingBinding, MaskingSession
from routing.services import masking
from routing.tests.masking_helpers import DRIVER, RIDER, add_pool, open_session

pytestmark = pytest.mark.django_db

ADD = "/admin/routing/maskingsession/add/"


def _form(project, a=DRIVER, b=RIDER, **extra):
    return {
        "project": project.pk,
        "participant_a": a,
        "participant_b": b,
        "ttl_minutes": "30",
        "reference": "ride-42",
        "_save": "Save",
        **extra,
    }


def test_operator_opens_a_session_from_the_admin(staff_client_for, tenant_a, monkeypatch):
    (proxy,) = add_pool(tenant_a, "+84899199900")
    AppUserFactory(project=tenant_a, user_id="driver_7")
    calls = []
    real = masking.masking_session_create
    monkeypatch.setattr(
        masking, "masking_session_create", lambda **kw: calls.append(kw) or real(**kw)
    )
    client = staff_client_for(tenant_a, Membership.Role.OPERATOR)
    page = client.get(ADD)
    assert page.status_code == 200 and "Participant A" in page.content.decode()

    response = client.post(ADD, _form(tenant_a, a="driver_7", b="0902222222"))
    assert response.status_code == 302
    session = MaskingSession.objects.get(project=tenant_a)
    assert (session.a_kind, session.a_address) == ("user", "driver_7")
    assert (session.b_kind, session.b_address) == ("phone", "+84902222222")
    assert session.proxy == proxy and session.reference == "ride-42" and session.is_open
    assert MaskingBinding.objects.filter(session=session, active=True).count() == 2
    assert len(calls) == 1 and calls[0]["ttl_seconds"] == 30 * 60  # the API's service


def test_an_unknown_participant_is_a_field_error(staff_client_for, tenant_a):
    add_pool(tenant_a, "+84899199900")
    client = staff_client_for(tenant_a, Membership.Role.OWNER)
    response = client.post(ADD, _form(tenant_a, a="nobody_here"))
    assert response.status_code == 200
    assert "participant_a" in response.context["adminform"].form.errors
    assert not MaskingSession.objects.exists()


def test_an_exhausted_pool_is_said_on_the_form(staff_client_for, tenant_a):
    add_pool(tenant_a, "+84899199900")
    open_session(tenant_a)  # the one pool number is taken for both participants
    client = staff_client_for(tenant_a, Membership.Role.OWNER)
    response = client.post(ADD, _form(tenant_a))
    assert response.status_code == 200
    assert "No number of the masking pool" in response.content.decode()
    assert MaskingSession.objects.count() == 1


def test_viewers_cannot_open_sessions(staff_client_for, tenant_a):
    add_pool(tenant_a, "+84899199900")
    client = staff_client_for(tenant_a, Membership.Role.VIEWER)
    assert client.get(ADD).status_code == 403
    assert client.post(ADD, _form(tenant_a)).status_code == 403
    assert not MaskingSession.objects.exists()


def test_another_tenants_project_is_not_a_choice(staff_client_for, tenant_a, tenant_b):
    add_pool(tenant_b, "+84899199901")
    client = staff_client_for(tenant_a, Membership.Role.OWNER)
    response = client.post(ADD, _form(tenant_b))
    assert response.status_code == 200
    assert "project" in response.context["adminform"].form.errors
    assert not MaskingSession.objects.exists()


def test_an_opened_session_is_read_only_and_closed_from_the_list(staff_client_for, tenant_a):
    add_pool(tenant_a, "+84899199900")
    session = open_session(tenant_a)
    client = staff_client_for(tenant_a, Membership.Role.OWNER)
    page = client.get(f"/admin/routing/maskingsession/{session.pk}/change/")
    assert page.status_code == 200 and 'name="participant_a"' not in page.content.decode()
    client.post(
        "/admin/routing/maskingsession/",
        {"action": "close_sessions", "_selected_action": [session.pk]},
    )
    session.refresh_from_db()
    assert session.closed_at is not None
