"""Outbound calls asked of Stringee (`POST /v1/call2/callout`): who asked, from which of the
project's numbers to whom, what runs once answered, and how the asking went (docs/stringee.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.models.projects import Project
from portal.phone import E164Field


class CalloutState(models.TextChoices):
    """How far the asking went: waiting for the worker, taken by Stringee, or failed."""

    PENDING = "pending", _("Waiting to be placed")
    PLACED = "placed", _("Placed by Stringee")
    FAILED = "failed", _("Failed")


class PartyKind(models.TextChoices):
    """Who is called (or connected once answered): a phone number or an app user."""

    PHONE = "phone", _("Phone number")
    USER = "user", _("App user")


class Callout(models.Model):
    """One outbound call the portal asked Stringee to place for a project."""

    tenant_lookup = "project"
    invalidates_routing = False  # no routing table reads it

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="callouts", verbose_name=_("project")
    )
    from_number = E164Field(_("from number"))
    to_kind = models.CharField(_("called"), max_length=5, choices=PartyKind.choices)
    to_address = models.CharField(_("to"), max_length=128)
    connect_kind = models.CharField(
        _("then connected to (kind)"), max_length=5, choices=PartyKind.choices, blank=True
    )
    connect_address = models.CharField(_("then connected to"), max_length=128, blank=True)
    custom = models.CharField(_("custom data"), max_length=1000, blank=True)
    requested_by = models.CharField(_("asked by"), max_length=200, blank=True)
    requested_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("staff member who asked"),
    )
    state = models.CharField(
        _("state"), max_length=8, choices=CalloutState.choices, default=CalloutState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("times sent"), default=0)
    sending_since = models.DateTimeField(_("being sent since"), null=True, blank=True)
    call_id = models.CharField(_("Stringee call id"), max_length=100, blank=True)
    error = models.CharField(_("why it failed"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbound call")
        verbose_name_plural = _("outbound calls")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["project", "-created_at"], name="callout_latest"),
            models.Index(fields=["state", "created_at"], name="callout_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.from_number} → {self.to_address}"
