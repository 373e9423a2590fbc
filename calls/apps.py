"""App config of calls: event_url ingestion, call records and recordings."""

from django.apps import AppConfig


class CallsConfig(AppConfig):
    name = "calls"
