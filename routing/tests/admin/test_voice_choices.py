"""Voices are chosen from the same list everywhere (menu greeting, key and final-step messages),
never typed as codes; a voice a program stored that the list does not name is kept."""

import pytest

from portal.models import CallerVoice, Membership
from routing.tests.factories import IvrMenuFactory

pytestmark = pytest.mark.django_db


def test_the_menu_page_offers_the_voices_by_name(staff_client_for, tenant_a):
    menu = IvrMenuFactory(project=tenant_a, greeting_voice="")
    owner = staff_client_for(tenant_a, Membership.Role.OWNER)
    page = owner.get(f"/admin/routing/ivrmenu/{menu.pk}/change/").content.decode()
    assert '<select name="greeting_voice"' in page
    assert "Vietnamese, female, Hanoi accent (Thu Trang)" in page
    assert '<select name="options-0-message_voice"' in page  # a key's message
    assert '<option value="" selected>The project&#x27;s voice</option>' in page
    assert "e.g. hn_male_xuantin" not in page  # no code to copy by hand


def test_a_voice_the_list_does_not_name_stays_as_it_was(staff_client_for, tenant_a):
    menu = IvrMenuFactory(project=tenant_a, greeting_voice="some_new_stringee_voice")
    owner = staff_client_for(tenant_a, Membership.Role.OWNER)
    page = owner.get(f"/admin/routing/ivrmenu/{menu.pk}/change/").content.decode()
    assert '<option value="some_new_stringee_voice" selected>' in page
    assert CallerVoice.HN_FEMALE_THUTRANG.value in page
