"""The project page leads with the picture of where calls go and offers its time zone from a
list, not as free text."""

import pytest

from portal.models import Membership
from portal.tests.helpers import project_page_form

pytestmark = pytest.mark.django_db


def test_the_picture_comes_first_and_the_time_zone_is_chosen_from_a_list(
    staff_client_for, tenant_a
):
    owner = staff_client_for(tenant_a, Membership.Role.OWNER)
    page = owner.get(f"/admin/portal/project/{tenant_a.pk}/change/").content.decode()
    assert page.index('id="flow-source"') < page.index("Stringee API key")
    assert '<select name="time_zone"' in page
    assert '<option value="Asia/Ho_Chi_Minh" selected>Asia/Ho Chi Minh (UTC+07:00)' in page


def test_a_time_zone_not_in_the_list_is_refused_on_the_form(admin_client, tenant_a):
    url = f"/admin/portal/project/{tenant_a.pk}/change/"
    refused = admin_client.post(url, project_page_form(tenant_a, time_zone="Mars/Olympus"))
    assert refused.status_code == 200 and "Select a valid choice" in refused.content.decode()
    chosen = admin_client.post(url, project_page_form(tenant_a, time_zone="Europe/Paris"))
    assert chosen.status_code == 302
    tenant_a.refresh_from_db()
    assert tenant_a.time_zone == "Europe/Paris"
