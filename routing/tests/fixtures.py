"""Shared routing fixtures (registered for the whole suite in the root conftest)."""

import pytest

from portal.tests.factories import AppUserFactory
from routing.tests.factories import IvrMenuFactory, IvrOptionFactory, RoutingRuleFactory


@pytest.fixture
def hotline(tenant_a):
    """Top menu: 1 → agent (app user), 2 → billing sub-menu (1 → a phone). Two retries."""
    agent = AppUserFactory(project=tenant_a, user_id="agent")
    billing = IvrMenuFactory(project=tenant_a, name="Billing", greeting_text="Billing menu.")
    IvrOptionFactory(
        menu=billing, digit="1", destination_kind="phone", destination_number="+84909000333"
    )
    top = IvrMenuFactory(
        project=tenant_a,
        name="Top",
        greeting_text="Main menu.",
        max_retries=2,
        invalid_message="Wrong key.",
        destination_kind="message",
        message_text="Goodbye.",
    )
    IvrOptionFactory(menu=top, digit="1", destination_kind="user", destination_user=agent)
    IvrOptionFactory(menu=top, digit="2", destination_kind="menu", destination_menu=billing)
    RoutingRuleFactory(
        project=tenant_a,
        called_kind="pattern",
        called_pattern="^hotline$",
        destination_kind="menu",
        destination_menu=top,
    )
    return top
