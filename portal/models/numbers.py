"""The number inventory: phone numbers, each assigned to at most one project at a time."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.models.base import validate_audio_file
from portal.models.projects import Project
from portal.phone import E164Field, phone_display


class StringeeState(models.TextChoices):
    """Whether Stringee sends this number's calls where the portal says (docs/stringee.md)."""

    NOT_SENT = "", _("Not sent to Stringee")
    PENDING = "pending", _("Waiting to be sent to Stringee")
    IN_SYNC = "in_sync", _("In sync with Stringee")
    FAILED = "failed", _("Sending to Stringee failed")
    DIFFERS = "differs", _("Different on Stringee")


# Fields the worker keeps (what Stringee says, how sending went): left out of the change history.
STRINGEE_BOOKKEEPING = (
    "stringee_id",
    "voice_enabled",
    "sms_enabled",
    "carrier",
    "monthly_price",
    "stringee_project",
    "stringee_answer_url",
    "stringee_event_url",
    "gone_from_stringee_at",
    "stringee_state",
    "stringee_error",
    "stringee_sent_at",
    "stringee_asked_at",
    "stringee_request",
)


class VirtualNumber(models.Model):
    """A phone number from the inventory; assigned to at most one project at a time."""

    tenant_lookup = "project"
    invalidates_routing = True
    # No routing table reads these: a save of them alone (update_fields) leaves the table as is.
    routing_ignores = frozenset({"label"})

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
    # What Stringee says of the number (read by `manage.py stringee_sync`, portal.stringee).
    stringee_id = models.PositiveBigIntegerField(
        _("Stringee number id"), null=True, blank=True, unique=True
    )
    voice_enabled = models.BooleanField(_("takes calls"), null=True, blank=True)
    sms_enabled = models.BooleanField(_("takes SMS"), null=True, blank=True)
    carrier = models.CharField(_("carrier"), max_length=100, blank=True, default="", db_default="")
    monthly_price = models.DecimalField(
        _("monthly price"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    stringee_project = models.PositiveBigIntegerField(
        _("Stringee project it is in"), null=True, blank=True
    )
    stringee_answer_url = models.CharField(
        _("answer_url on Stringee"), max_length=500, blank=True, default="", db_default=""
    )
    stringee_event_url = models.CharField(
        _("event_url on Stringee"), max_length=500, blank=True, default="", db_default=""
    )
    gone_from_stringee_at = models.DateTimeField(
        _("missing from Stringee since"), null=True, blank=True
    )
    # Making Stringee send the number's calls where the portal says (portal.services.stringee).
    stringee_state = models.CharField(
        _("on Stringee"),
        max_length=8,
        choices=StringeeState.choices,
        blank=True,
        default=StringeeState.NOT_SENT,
        db_default=StringeeState.NOT_SENT,
    )
    stringee_error = models.CharField(
        _("why sending failed"), max_length=300, blank=True, default="", db_default=""
    )
    stringee_sent_at = models.DateTimeField(_("last sent to Stringee"), null=True, blank=True)
    stringee_asked_at = models.DateTimeField(_("asked to send at"), null=True, blank=True)
    # Raised by every new request to send: a send finished for an older request does not mark
    # the number in sync.
    stringee_request = models.PositiveIntegerField(default=0, db_default=0, editable=False)

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
        indexes = [
            models.Index(fields=["status", "number"]),
            models.Index(fields=["stringee_state"], name="number_stringee_state"),
        ]

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
