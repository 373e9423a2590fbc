"""Which webhooks the bench can measure: the answer_url and event_url, once their apps define
them (the baselines, floors and peer are the bench's own)."""

from django.apps import apps
from django.db.models import Model
from django.urls import Resolver404, resolve

from bench.workload import (
    ANSWER,
    BASELINE,
    BASELINE_DRF,
    EVENT,
    FLOOR_ANSWER,
    FLOOR_EVENT,
    PEER_ANSWER,
)

_PROBES = {
    BASELINE: "/bench/baseline/1/token/",
    BASELINE_DRF: "/bench/baseline-drf/1/token/",
    ANSWER: "/answer_url/1/token/",
    EVENT: "/event_url/1/token/",
    FLOOR_ANSWER: "/bench/floor-answer/1/token/",
    FLOOR_EVENT: "/bench/floor-event/1/token/",
    PEER_ANSWER: "/bench/peer-answer/1/token/",
}


def landed(endpoint: str) -> bool:
    """Whether the portal routes `endpoint`'s URL to a view."""
    try:
        resolve(_PROBES[endpoint])
    except Resolver404:
        return False
    return True


def optional_model(app_label: str, name: str) -> type[Model] | None:
    """Model `app_label.name`, or None while that app does not define it."""
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None


def stored_events() -> int:
    """Rows of received call events (0 while the calls app has no CallEvent)."""
    model = optional_model("calls", "CallEvent")
    return model.objects.count() if model is not None else 0
