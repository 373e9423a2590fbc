"""Every view of the management API says how it keeps tenants apart; one that does not is refused
at start-up (portal.E002) and at request time (the API's default permission)."""

import pytest
from django.test import override_settings
from django.urls import path
from rest_framework import serializers, viewsets

from portal.models import Membership, Project
from portal.tenancy.api import check_api_views_scoped
from portal.urls import urlpatterns as portal_urlpatterns

pytestmark = pytest.mark.django_db


class ProjectNames(serializers.ModelSerializer):
    class Meta:
        model = Project
        fields = ["name"]


class EveryProject(viewsets.ReadOnlyModelViewSet):
    """A viewset written without the tenant-scoped base: it would list every tenant."""

    queryset = Project.objects.all()
    serializer_class = ProjectNames


urlpatterns = [
    path("api/v1/every-project/", EveryProject.as_view({"get": "list"})),
    *portal_urlpatterns,
]


def test_the_portals_own_api_views_all_keep_tenants_apart():
    assert check_api_views_scoped() == []


@override_settings(ROOT_URLCONF=__name__)
def test_a_viewset_that_does_not_say_how_it_scopes_fails_the_check():
    errors = check_api_views_scoped()
    assert [error.id for error in errors] == ["portal.E002"]
    assert "EveryProject" in errors[0].msg and "/api/v1/every-project/" in errors[0].msg


@override_settings(ROOT_URLCONF=__name__)
def test_and_its_requests_are_refused_rather_than_listing_other_tenants(
    staff_client_for, tenant_a, tenant_b
):
    client = staff_client_for(tenant_a, Membership.Role.OWNER)
    response = client.get("/api/v1/every-project/")
    assert response.status_code == 403
    assert tenant_b.name not in response.content.decode()
