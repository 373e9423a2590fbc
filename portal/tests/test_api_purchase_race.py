"""Purchase race: two tenants buying one number at the same moment — exactly one wins."""

import threading

import pytest
from django.db import connection
from django.test import Client

from portal.api.authentication import make_rest_token
from portal.models import VirtualNumber
from portal.tests.factories import ProjectFactory, VirtualNumberFactory


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(5))
def test_concurrent_purchases_of_one_number_give_one_winner_and_409s(round_):
    buyers = ProjectFactory.create_batch(4)
    VirtualNumberFactory(number="+84901234567", project=None, status=VirtualNumber.Status.AVAILABLE)
    start = threading.Barrier(len(buyers))
    results: dict[int, tuple[int, dict]] = {}

    def buy(project):
        try:
            headers = {"X-STRINGEE-AUTH": make_rest_token(project)}
            client = Client()
            start.wait(timeout=10)
            response = client.post(
                "/api/v1/numbers/purchase/",
                {"number": "0901234567"},
                content_type="application/json",
                headers=headers,
            )
            results[project.pk] = (response.status_code, response.json())
        finally:
            connection.close()

    threads = [threading.Thread(target=buy, args=(project,)) for project in buyers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    codes = sorted(code for code, _ in results.values())
    assert codes == [201, 409, 409, 409], results
    winner = next(pk for pk, (code, _) in results.items() if code == 201)
    assert VirtualNumber.objects.get().project_id == winner
    losers = [body for code, body in results.values() if code == 409]
    assert all(body["error"] == "number_unavailable" for body in losers)
