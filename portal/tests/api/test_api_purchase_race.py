"""Purchase race: two tenants buying one number at the same moment — exactly one wins."""

import pytest
from django.test import Client

from portal.models import VirtualNumber
from portal.tests.factories import ProjectFactory, VirtualNumberFactory
from portal.tests.helpers import jwt_headers, run_in_threads


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(5))
def test_concurrent_purchases_of_one_number_give_one_winner_and_409s(round_):
    buyers = ProjectFactory.create_batch(4)
    VirtualNumberFactory(number="+84901234567", project=None, status=VirtualNumber.Status.AVAILABLE)

    def buy(project) -> int:
        response = Client().post(
            "/api/v1/numbers/purchase/",
            {"number": "0901234567"},
            content_type="application/json",
            headers=jwt_headers(project),
        )
        return response.status_code

    codes = sorted(run_in_threads(buy, buyers))
    assert codes == [201, 409, 409, 409], codes
