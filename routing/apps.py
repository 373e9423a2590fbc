"""App config of routing: rules, IVR menus and the answer_url."""

from importlib import import_module

from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "routing"

    def ready(self) -> None:
        import_module("routing.cache")  # rebuilds routing tables when tenant data changes
