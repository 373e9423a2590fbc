"""Every admin page a superuser can open renders, for every registered model."""

import pytest
from django.contrib import admin
from django.urls import reverse

from portal.devtools.demo import seed_demo


@pytest.mark.django_db
def test_every_changelist_and_add_page_renders_for_a_superuser(admin_client):
    seed_demo()
    for model, model_admin in admin.site._registry.items():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        changelist = admin_client.get(reverse(f"{prefix}_changelist"))
        assert changelist.status_code == 200, f"{model.__name__} list: {changelist.status_code}"
        if model_admin.has_add_permission(changelist.wsgi_request):
            add = admin_client.get(reverse(f"{prefix}_add"))
            assert add.status_code == 200, f"{model.__name__} add page: {add.status_code}"
        first = model_admin.get_queryset(changelist.wsgi_request).first()
        if first is not None:
            change = admin_client.get(reverse(f"{prefix}_change", args=[first.pk]))
            assert change.status_code == 200, f"{model.__name__} change page: {change.status_code}"
