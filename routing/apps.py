"""App config of routing: rules, IVR menus and the answer_url."""

from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    name = "routing"
    verbose_name = _("Routing")

    def ready(self) -> None:
        import_module("routing.cache")  # rebuilds routing tables when tenant data changes
