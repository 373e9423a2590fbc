"""Each reading of the Stringee account's numbers (`manage.py stringee_sync`, the worker): when,
and what came of it. Platform-wide: only superusers see it, on the numbers list."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StringeeSync(models.Model):
    """One reading of the account's numbers from Stringee."""

    # Not a tenant's row: the account is the portal's. No admin page lists it; the numbers list
    # shows superusers the last one.
    invalidates_routing = False

    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    ok = models.BooleanField(_("succeeded"), default=False)
    error = models.CharField(_("why it failed"), max_length=300, blank=True, default="")
    numbers_seen = models.PositiveIntegerField(_("numbers on Stringee"), default=0)
    numbers_added = models.PositiveIntegerField(_("numbers added"), default=0)
    numbers_gone = models.PositiveIntegerField(_("numbers missing from Stringee"), default=0)
    numbers_differing = models.PositiveIntegerField(_("numbers different on Stringee"), default=0)

    class Meta:
        verbose_name = _("reading of Stringee's numbers")
        verbose_name_plural = _("readings of Stringee's numbers")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M}"


class ProjectCreation(models.Model):
    """A superuser's request that a new project be created on Stringee (`POST /v1/project`) and
    added to the portal with the id and API key Stringee gives it. Platform-wide: only
    superusers ask, and only they see it."""

    invalidates_routing = False

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be created on Stringee")
        CREATED = "created", _("Created on Stringee")
        FAILED = "failed", _("Failed")

    name = models.CharField(_("name"), max_length=200)
    time_zone = models.CharField(_("time zone"), max_length=64)
    requested_by = models.CharField(_("asked by"), max_length=200, blank=True)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default="pending")
    error = models.CharField(_("why it failed"), max_length=300, blank=True, default="")
    project = models.ForeignKey(
        "portal.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("project"),
    )
    sending_since = models.DateTimeField(_("being sent since"), null=True, blank=True)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("project created on Stringee")
        verbose_name_plural = _("projects created on Stringee")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name
