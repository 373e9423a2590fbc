"""A project whose callers speak Vietnamese hears the portal's own messages in Vietnamese, with the
Vietnamese voice chosen for it; English projects are unchanged (Stringee's default voice)."""

from types import SimpleNamespace

import pytest

from portal.models import CallerVoice
from routing import webhooks
from routing.tests.helpers import answer

pytestmark = pytest.mark.django_db


def test_vietnamese_project_hears_the_fallback_in_vietnamese_with_its_voice(
    client, tenant_a, monkeypatch, django_assert_num_queries
):
    # The routing error this call logs is written by a queue, not by the answer_url.
    monkeypatch.setattr(webhooks, "error_log", SimpleNamespace(record=lambda **row: None))
    tenant_a.caller_voice = CallerVoice.SG_FEMALE_XUANHONG
    tenant_a.save()
    answer(client, tenant_a, from_="user_1", to="nobody", fromInternal="true")  # warms the cache

    with django_assert_num_queries(0):
        scco = answer(client, tenant_a, from_="user_1", to="nobody", fromInternal="true").json()

    assert scco == [
        {
            "action": "talk",
            "text": "Số máy quý khách vừa gọi hiện không liên lạc được",
            "voice": "sg_female_xuanhong_vdts_48k-hsmm",
        }
    ]


def test_a_message_staff_wrote_is_spoken_as_written_in_the_projects_voice(client, tenant_a):
    tenant_a.caller_voice = CallerVoice.HN_MALE_XUANTIN
    tenant_a.fallback_message = "Xin lỗi, tổng đài đang bận."
    tenant_a.save()
    scco = answer(client, tenant_a, from_="user_1", to="nobody", fromInternal="true").json()
    assert scco == [
        {
            "action": "talk",
            "text": "Xin lỗi, tổng đài đang bận.",
            "voice": "hn_male_xuantin_vdts_48k-hsmm",
        }
    ]


def test_refused_input_of_a_vietnamese_project_also_falls_back_in_vietnamese(client, tenant_a):
    tenant_a.caller_voice = CallerVoice.BANMAI
    tenant_a.save()
    scco = answer(client, tenant_a, from_="user_1", to="x" * 300, fromInternal="true").json()
    assert scco[0]["voice"] == "banmai"
    assert scco[0]["text"] == "Số máy quý khách vừa gọi hiện không liên lạc được"


def test_english_project_keeps_the_english_message_and_stringees_default_voice(client, tenant_a):
    scco = answer(client, tenant_a, from_="user_1", to="nobody", fromInternal="true").json()
    assert scco == [{"action": "talk", "text": "The number you called is not available"}]
