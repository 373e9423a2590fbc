"""A number's own "no rule applies" message is played before the project's, from the warm table."""

import pytest

from portal.tests.factories import VirtualNumberFactory
from routing import webhooks
from routing.error_log import ErrorLogWriter
from routing.tests.factories import RoutingRuleFactory
from routing.tests.helpers import answer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_at_once")]

TO_HOTLINE = {"from_": "84901234567", "to": "84899100001", "fromInternal": "false"}
TO_SALES = {**TO_HOTLINE, "to": "84899100002"}


class CollectingWriter(ErrorLogWriter):
    """Keeps routing error rows in memory (the SQL count then measures the answer alone)."""

    def __init__(self) -> None:
        super().__init__()
        self.background = False
        self.rows: list[dict] = []

    def _write(self, rows: list[dict]) -> bool:
        self.rows.extend(rows)
        return True


@pytest.fixture
def numbers(tenant_a):
    hotline = VirtualNumberFactory(
        project=tenant_a, number="+84899100001", fallback_message="The hotline opens at 8."
    )
    sales = VirtualNumberFactory(project=tenant_a, number="+84899100002")
    return hotline, sales


def test_a_call_to_the_number_hears_its_own_message_before_the_projects(client, tenant_a, numbers):
    assert answer(client, tenant_a, **TO_HOTLINE).json() == [
        {"action": "talk", "text": "The hotline opens at 8."}
    ]
    assert answer(client, tenant_a, **TO_SALES).json() == [
        {"action": "talk", "text": tenant_a.fallback_message}
    ]


def test_the_numbers_audio_file_is_played_instead_of_its_text(client, tenant_a, numbers):
    hotline, _ = numbers
    hotline.fallback_audio = "closed.mp3"
    hotline.save()
    assert answer(client, tenant_a, **TO_HOTLINE).json() == [
        {"action": "play", "fileName": "closed.mp3"}
    ]


def test_a_rule_for_the_number_still_wins_over_its_message(client, tenant_a, numbers):
    hotline, _ = numbers
    RoutingRuleFactory(
        project=tenant_a,
        called_kind="number",
        called_number=hotline,
        destination_kind="message",
        message_text="Welcome",
    )
    assert answer(client, tenant_a, **TO_HOTLINE).json()[0]["text"] == "Welcome"


def test_the_numbers_message_is_in_the_warm_table_no_sql(
    client, tenant_a, numbers, monkeypatch, django_assert_num_queries
):
    writer = CollectingWriter()
    monkeypatch.setattr(webhooks, "error_log", writer)
    answer(client, tenant_a, **TO_HOTLINE, uuid="u-1")  # builds and caches the routing table
    with django_assert_num_queries(0):
        warm = answer(client, tenant_a, **TO_HOTLINE, uuid="u-2")
    assert warm.json() == [{"action": "talk", "text": "The hotline opens at 8."}]
    assert "the number's own message" in writer.rows[-1]["error"]


def test_changing_the_numbers_message_in_the_admin_changes_what_callers_hear(
    client, admin_client, tenant_a, numbers
):
    hotline, _ = numbers
    answer(client, tenant_a, **TO_HOTLINE)  # warm
    response = admin_client.post(
        f"/admin/portal/virtualnumber/{hotline.pk}/change/",
        {"label": "", "fallback_message": "Closed for Tet.", "fallback_audio": ""},
    )
    assert response.status_code == 302
    assert answer(client, tenant_a, **TO_HOTLINE).json()[0]["text"] == "Closed for Tet."


def test_another_tenants_number_message_is_never_used(client, tenant_a, tenant_b):
    VirtualNumberFactory(project=tenant_b, number="+84899100001", fallback_message="B's message")
    # the number is tenant B's: a call to it through tenant A's answer_url is not B's business
    assert answer(client, tenant_a, **TO_HOTLINE).json() == [
        {"action": "talk", "text": tenant_a.fallback_message}
    ]


def test_an_audio_that_is_not_a_file_name_or_link_is_refused_in_the_admin(
    admin_client, tenant_a, numbers
):
    hotline, _ = numbers
    response = admin_client.post(
        f"/admin/portal/virtualnumber/{hotline.pk}/change/",
        {"label": "", "fallback_message": "", "fallback_audio": "rm -rf /"},
    )
    assert response.status_code == 200
    assert "Enter the name of a file uploaded to Stringee" in response.content.decode()
