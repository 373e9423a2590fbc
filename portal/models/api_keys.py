"""Tenants' API keys for their own programs: only a hash of each key is kept."""

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models.projects import Project

API_KEY_PREFIX = "spk"


def api_key_digest(plain_key: str) -> str:
    """What the database keeps of an API key: its SHA-256, never the key itself."""
    return hashlib.sha256(plain_key.encode(errors="replace")).hexdigest()


class ApiKey(models.Model):
    """A key a tenant's own program uses for the management API (`Authorization: Api-Key …`).

    Only the SHA-256 of the key is stored; `prefix` (the key's visible start) finds the row. The
    plain key is shown once, when it is created (portal.services.api_key_create).
    """

    tenant_lookup = "project"
    invalidates_routing = False  # no routing table reads it

    class Scope(models.TextChoices):
        READ = "read", _("Read only")
        WRITE = "write", _("Read and write")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="api_keys", verbose_name=_("project")
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("Which program uses it, e.g. “CRM sync”.")
    )
    prefix = models.CharField(_("key starts with"), max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    scope = models.CharField(
        _("access"),
        max_length=8,
        choices=Scope.choices,
        default=Scope.READ,
        help_text=_("Read-only keys may look at everything but change nothing."),
    )
    expires_at = models.DateTimeField(
        _("expires"),
        null=True,
        blank=True,
        help_text=_("Leave empty for a key that never expires."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["project", "name"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def read_only(self) -> bool:
        return self.scope != self.Scope.WRITE

    def is_usable(self, now=None) -> bool:
        """Not revoked and not past its expiry."""
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
