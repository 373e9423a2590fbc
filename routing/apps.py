"""App config of routing: rules, IVR menus and the answer_url."""

from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "routing"

    def ready(self) -> None:
        from routing import cache  # noqa: F401  (rebuilds routing tables when tenant data changes)
