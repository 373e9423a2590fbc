"""Concurrent session creations never bind a participant twice on one proxy number (PostgreSQL)."""

import threading
from collections import Counter

import pytest
from django.db import connection

from routing.models import MaskingBinding
from routing.services import masking
from routing.tests.masking_helpers import DRIVER, add_pool, open_session

POOL = ["+84899100001", "+84899100002", "+84899100003"]
RIDERS = [f"+8490300000{i}" for i in range(8)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_creations_for_one_participant_never_double_book_a_number(tenant_a):
    add_pool(tenant_a, *POOL)
    start = threading.Barrier(len(RIDERS))
    outcomes = []

    def create(rider: str) -> None:
        try:
            start.wait()
            open_session(tenant_a, a=DRIVER, b=rider)
            outcomes.append("created")
        except masking.PoolExhausted:
            outcomes.append("exhausted")
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(rider,)) for rider in RIDERS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    active = MaskingBinding.objects.filter(active=True)
    per_pair = Counter(active.values_list("proxy_id", "kind", "address"))
    assert max(per_pair.values()) == 1
    driver_numbers = active.filter(address=DRIVER).values_list("proxy_id", flat=True)
    assert sorted(Counter(outcomes).items()) == [
        ("created", len(POOL)),
        ("exhausted", len(RIDERS) - len(POOL)),
    ]
    assert len(set(driver_numbers)) == len(POOL)
