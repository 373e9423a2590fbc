"""Delete pages list what Django's own would, in the same few queries however many rows they
list (each row is read with the rows its name shows)."""

import pytest
from django.contrib import admin
from django.contrib.admin.utils import get_deleted_objects
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from portal.admin.delete_pages import deleted_objects
from portal.models import AppUser, Membership
from portal.tests.factories import AppUserFactory, MembershipFactory
from routing.models import RingGroup, RingGroupMember
from routing.tests.factories import IvrMenuFactory, IvrOptionFactory

pytestmark = pytest.mark.django_db


def _agent_used_by(project, uses: int) -> AppUser:
    """An app user rung by `uses` IVR keys (of as many menus) and ring groups."""
    agent = AppUserFactory(project=project)
    for index in range(uses):
        menu = IvrMenuFactory(project=project)
        IvrOptionFactory(menu=menu, destination_kind="user", destination_user=agent)
        group = RingGroup.objects.create(project=project, name=f"{agent} group {index}")
        RingGroupMember.objects.create(group=group, kind="user", user=agent)
    return agent


def _page_of(agent: AppUser, user, lister) -> tuple[tuple, int]:
    request = RequestFactory().get("/admin/")
    request.user = type(user).objects.get(pk=user.pk)  # its roles not yet read
    with CaptureQueriesContext(connection) as captured:
        listed = lister([agent], request, admin.site)
    return listed, len(captured)


def test_a_delete_page_lists_what_djangos_would_in_queries_that_do_not_grow(tenant_a):
    owner = MembershipFactory(project=tenant_a, role=Membership.Role.OWNER).user
    few, many = _agent_used_by(tenant_a, 1), _agent_used_by(tenant_a, 4)
    listed, queries = _page_of(many, owner, deleted_objects)
    assert listed == _page_of(many, owner, get_deleted_objects)[0]
    shown = str(listed)
    assert f"{many} group 3 #0: {many}" in shown and " [1]" in shown  # members and keys, named
    assert queries == _page_of(few, owner, deleted_objects)[1]
