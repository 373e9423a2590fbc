"""The number inventory: phone numbers, each assigned to at most one project at a time."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.models.base import validate_audio_file
from portal.models.projects import Project
from portal.phone import E164Field, phone_display


class VirtualNumber(models.Model):
    """A phone number from the inventory; assigned to at most one project at a time."""

    tenant_lookup = "project"
    invalidates_routing = True

    class Status(models.TextChoices):
        AVAILABLE = "available", _("Available")
        ASSIGNED = "assigned", _("Assigned")
        QUARANTINED = "quarantined", _("Quarantined")

    number = E164Field(
        unique=True,
        help_text=_("Any form: +84 90 123 4567, 0901234567 or 84901234567."),
        verbose_name=_("number"),
    )
    project = models.ForeignKey(
        Project,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="numbers",
        verbose_name=_("project"),
    )
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.AVAILABLE, verbose_name=_("status")
    )
    label = models.CharField(max_length=100, blank=True, verbose_name=_("label"))
    fallback_message = models.CharField(
        _("message when no rule applies"),
        max_length=500,
        blank=True,
        default="",
        db_default="",  # rows written by raw SQL (bench data, COPY) have none
        help_text=_(
            "Spoken to callers of this number when no rule applies, instead of the project's "
            "message. Leave empty to use the project's."
        ),
    )
    fallback_audio = models.CharField(
        _("audio when no rule applies"),
        max_length=500,
        blank=True,
        default="",
        db_default="",  # rows written by raw SQL (bench data, COPY) have none
        validators=[validate_audio_file],
        help_text=_(
            "A file uploaded to Stringee (e.g. closed.mp3) or an http(s) link, played instead "
            "of the message above."
        ),
    )
    assigned_at = models.DateTimeField(null=True, blank=True, verbose_name=_("assigned at"))
    released_at = models.DateTimeField(null=True, blank=True, verbose_name=_("released at"))
    quarantined_until = models.DateTimeField(
        null=True, blank=True, verbose_name=_("quarantined until")
    )

    class Meta:
        verbose_name = _("virtual number")
        verbose_name_plural = _("virtual numbers")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                name="number_assigned_iff_project",
                condition=(Q(status="assigned") & Q(project__isnull=False))
                | (~Q(status="assigned") & Q(project__isnull=True)),
            ),
        ]
        indexes = [models.Index(fields=["status", "number"])]

    def __str__(self) -> str:
        return phone_display(self.number)

    def belongs_to(self, project_id: int | None) -> bool:
        """Whether `project_id` holds this number now (the rule for using it as caller ID)."""
        return self.status == self.Status.ASSIGNED and self.project_id == project_id

    def fallback_json(self) -> dict | None:
        """What callers of this number hear when no rule applies (None: the project's message)."""
        if not self.fallback_audio and not self.fallback_message.strip():
            return None
        return {"audio": self.fallback_audio, "text": self.fallback_message.strip()}
