"""factory-boy factories for the tenancy domain, shared by every app's tests."""

import factory
from django.contrib.auth import get_user_model

from portal.models import AppUser, Membership, Project, VirtualNumber


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    stringee_project_id = factory.Sequence(lambda n: 5000 + n)
    name = factory.Sequence(lambda n: f"Tenant {n}")
    api_key_sid = factory.Sequence(lambda n: f"SK.0.Tenant{n}")
    api_key_secret = factory.Sequence(lambda n: f"secret-of-tenant-{n}-0123456789abcdef")


class VirtualNumberFactory(factory.django.DjangoModelFactory):
    """An assigned number by default; pass project=None, status="available" for stock."""

    class Meta:
        model = VirtualNumber

    number = factory.Sequence(lambda n: f"+8490{n:07d}")
    project = factory.SubFactory(ProjectFactory)
    status = VirtualNumber.Status.ASSIGNED


class AppUserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AppUser

    project = factory.SubFactory(ProjectFactory)
    user_id = factory.Sequence(lambda n: f"user_{n}")
    display_name = factory.Sequence(lambda n: f"App user {n}")


class StaffUserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"staff{n}")
    is_staff = True
    password = factory.django.Password("pw")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(StaffUserFactory)
    project = factory.SubFactory(ProjectFactory)
    role = Membership.Role.OPERATOR
