"""Events of one call timestamped decades apart (out-of-contract, but in the accepted range) are
stored, and the record's ring time stops at its column's limit instead of failing the event."""

import pytest

from calls import cdr
from calls.models import CallRecord
from calls.tests.factories import T0, call_event, event_url_of, post_json

pytestmark = pytest.mark.django_db


def test_an_answer_sixty_nine_years_after_the_start_is_stored(client, tenant_a):
    much_later = T0 + 69 * 365 * 24 * 3600 * 1000
    created = post_json(client, event_url_of(tenant_a), call_event("far", "created", T0))
    assert created.status_code == 200
    answered = post_json(client, event_url_of(tenant_a), call_event("far", "answered", much_later))
    assert answered.status_code == 200
    assert CallRecord.objects.get(call_id="far").ring_seconds == cdr.MAX_SECONDS
