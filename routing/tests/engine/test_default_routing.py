"""Without any rule, an app user reaches another app user of the same project (flow 1)."""

import pytest

from portal.tests.factories import AppUserFactory
from routing.models import RoutingErrorLog
from routing.tests.helpers import answer

pytestmark = pytest.mark.django_db


def test_app_user_reaches_another_app_user_without_any_rule(client, tenant_a):
    AppUserFactory(project=tenant_a, user_id="user_2")
    scco = answer(client, tenant_a, from_="user_1", to="user_2", fromInternal="true").json()
    assert scco == [
        {
            "action": "connect",
            "from": {"type": "internal", "number": "user_1", "alias": "user_1"},
            "to": {"type": "internal", "number": "user_2", "alias": "user_2"},
        }
    ]
    assert not RoutingErrorLog.objects.exists()


def test_call_matching_nothing_hears_the_fallback_and_staff_see_why(client, tenant_a):
    scco = answer(client, tenant_a, from_="user_1", to="nobody", fromInternal="true").json()
    assert scco == [{"action": "talk", "text": tenant_a.fallback_message}]
    assert "no rule matches" in RoutingErrorLog.objects.get(project=tenant_a).error
