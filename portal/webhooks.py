"""Who is calling a webhook: the project named in the URL, checked against its secret token.

Shared by the answer_url, IVR callbacks and the event_url. The project row is cached (it is
read on every call) and dropped from the cache whenever the project's data changes.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.dispatch import receiver

from portal.models import Project
from portal.tenancy import tenant_data_changed

_MISSING = "missing"  # cached for unknown ids, so a flood of bad URLs does not reach the database
_MISSING_SECONDS = 60


@dataclass
class WebhookRejected(Exception):
    """The request names no active project (404) or carries the wrong token (403)."""

    status: int
    code: str
    detail: str


def _key(stringee_project_id: int) -> str:
    return f"webhook-project:{stringee_project_id}"


def cached_project(stringee_project_id: int) -> Project | None:
    """The project Stringee knows as `stringee_project_id`: one query when cold, none when warm."""
    key = _key(stringee_project_id)
    project = cache.get(key)
    if project is None:
        project = Project.objects.filter(stringee_project_id=stringee_project_id).first()
        if project is None:
            cache.set(key, _MISSING, _MISSING_SECONDS)
        else:
            cache.set(key, project, settings.ROUTING_CACHE_SECONDS)
    return None if project == _MISSING else project


def project_for_webhook(stringee_project_id: int, token: str) -> Project:
    """The active project the URL names, if `token` is its webhook token; else WebhookRejected."""
    return authorize(cached_project(stringee_project_id), stringee_project_id, token)


def authorize(project: Project | None, stringee_project_id: int, token: str) -> Project:
    """`project` if it is active and `token` is its webhook token; else WebhookRejected."""
    if project is None or not project.is_active:
        raise WebhookRejected(404, "unknown_project", f"No active project {stringee_project_id}.")
    if not project.accepts_webhook_token(token):
        raise WebhookRejected(403, "bad_token", "The token in the URL is not this project's webhook token.")
    return project


@receiver(tenant_data_changed, dispatch_uid="portal.webhooks.forget_project")
def forget_project(sender, project_id: int, **kwargs) -> None:
    """Drop the cached row now and again after commit, so a racing read cannot keep it stale."""
    keys = [
        _key(i) for i in Project.objects.filter(pk=project_id).values_list("stringee_project_id", flat=True)
    ]
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))
