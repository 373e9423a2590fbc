"""factory-boy factories for routing rules and IVR menus."""

import factory

from portal.tests.factories import ProjectFactory
from routing.models import IvrMenu, IvrOption, RoutingRule


class RoutingRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoutingRule

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"Rule {n}")


class IvrMenuFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IvrMenu

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"Menu {n}")
    greeting_text = "Press 1 for sales."


class IvrOptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IvrOption

    menu = factory.SubFactory(IvrMenuFactory)
    digit = "1"
    destination_kind = "message"
    message_text = "Hello."
