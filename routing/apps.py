"""App config of routing: rules, IVR menus and the answer_url."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    name = "routing"
    verbose_name = _("Routing")

    def ready(self) -> None:
        from routing import cache  # noqa: F401  (rebuilds routing tables when tenant data changes)
