"""Masked calls: a project's masking pool, its sessions, and the bindings that keep them apart.

A `MaskingSession` ties two participants (phone numbers or app users) to one proxy number of
the pool. Each participant of an open session has one `MaskingBinding` on that proxy; the
database refuses a second active binding of the same participant on the same number, so every
(caller, proxy number) pair resolves to at most one session, whatever runs concurrently.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import Project, VirtualNumber
from routing.kinds import PartyKind


class MaskingPoolNumber(models.Model):
    """A number of the project set aside as a proxy: calls to it are routed by masking sessions."""

    tenant_lookup = "project"
    invalidates_routing = True

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="masking_pool", verbose_name=_("project")
    )
    number = models.OneToOneField(
        VirtualNumber,
        on_delete=models.CASCADE,
        related_name="masking_pool_entry",
        verbose_name=_("number"),
    )

    class Meta:
        ordering = ["project", "number"]
        verbose_name = _("masking pool number")
        verbose_name_plural = _("masking pool numbers")

    def __str__(self) -> str:
        return str(self.number)

    def clean(self) -> None:
        if self.number_id and (
            self.number.project_id != self.project_id
            or self.number.status != VirtualNumber.Status.ASSIGNED
        ):
            raise ValidationError({"number": f"{self.number} is not a number of this project."})


class MaskingSession(models.Model):
    """Two participants who reach each other through one proxy number until it expires or closes."""

    tenant_lookup = "project"
    invalidates_routing = False  # no routing table reads it

    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        related_name="masking_sessions",
        verbose_name=_("project"),
    )
    proxy = models.ForeignKey(
        VirtualNumber, on_delete=models.PROTECT, related_name="+", verbose_name=_("proxy")
    )
    a_kind = models.CharField(_("participant A kind"), max_length=5, choices=PartyKind.choices())
    a_address = models.CharField(
        _("participant A"), max_length=128, help_text=_("E.164 number or app user id.")
    )
    b_kind = models.CharField(_("participant B kind"), max_length=5, choices=PartyKind.choices())
    b_address = models.CharField(
        _("participant B"), max_length=128, help_text=_("E.164 number or app user id.")
    )
    reference = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("Your id, e.g. the ride or order."),
        verbose_name=_("reference"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    expires_at = models.DateTimeField(verbose_name=_("expires at"))
    closed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("closed at"))

    class Meta:
        verbose_name = _("masking session")
        verbose_name_plural = _("masking sessions")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["project", "closed_at", "expires_at"])]
        constraints = [
            models.CheckConstraint(
                name="masking_participants_differ",
                condition=~Q(a_kind=models.F("b_kind"), a_address=models.F("b_address")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.a_address} ⇄ {self.b_address} via {self.proxy}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None and self.expires_at > timezone.now()


class MaskingBinding(models.Model):
    """A participant of a session bound to its proxy; at most one active per (number,
    participant)."""

    tenant_lookup = "session__project"
    invalidates_routing = False  # no routing table reads it

    session = models.ForeignKey(
        MaskingSession, on_delete=models.CASCADE, related_name="bindings", verbose_name=_("session")
    )
    proxy = models.ForeignKey(
        VirtualNumber, on_delete=models.CASCADE, related_name="+", verbose_name=_("proxy")
    )
    kind = models.CharField(max_length=5, choices=PartyKind.choices(), verbose_name=_("kind"))
    address = models.CharField(max_length=128, verbose_name=_("address"))
    peer_kind = models.CharField(
        max_length=5, choices=PartyKind.choices(), verbose_name=_("peer kind")
    )
    peer_address = models.CharField(max_length=128, verbose_name=_("peer address"))
    active = models.BooleanField(default=True, verbose_name=_("active"))

    class Meta:
        verbose_name = _("masking binding")
        verbose_name_plural = _("masking bindings")
        indexes = [models.Index(fields=["proxy", "kind", "address"], name="masking_binding_lookup")]
        constraints = [
            models.UniqueConstraint(
                fields=["proxy", "kind", "address"],
                condition=Q(active=True),
                name="one_active_binding_per_participant_and_proxy",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.address} on {self.proxy}"
