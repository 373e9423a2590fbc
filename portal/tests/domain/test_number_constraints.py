"""The database, not only forms, keeps one number with at most one project."""

import pytest
from django.db import IntegrityError, connection, transaction

from portal.models import VirtualNumber
from portal.tests.factories import ProjectFactory


@pytest.mark.django_db
def test_raw_second_insert_of_a_number_is_an_integrity_error(tenant_a, tenant_b):
    VirtualNumber.objects.create(number="+84901234567", project=tenant_a, status="assigned")
    table = VirtualNumber._meta.db_table
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (number, project_id, status, label) VALUES (%s, %s, %s, %s)",
            ["+84901234567", tenant_b.pk, "assigned", ""],
        )
    assert VirtualNumber.objects.filter(number="+84901234567").count() == 1


@pytest.mark.django_db
def test_an_assigned_number_must_have_a_project_and_stock_must_not():
    with pytest.raises(IntegrityError), transaction.atomic():
        VirtualNumber.objects.create(number="+84901234567", status="assigned", project=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        VirtualNumber.objects.create(
            number="+84901234568", status="available", project=ProjectFactory()
        )
