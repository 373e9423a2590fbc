"""App config of routing: rules, IVR menus and the answer_url."""

from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "routing"
