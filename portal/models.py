"""The tenancy domain: Stringee projects (tenants), their numbers, app users and staff."""

import hashlib
import secrets
from datetime import timedelta
from zoneinfo import available_timezones

from auditlog.models import AbstractLogEntry
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from portal.audit import AuditEntryManager, related_key
from portal.phone import E164Field, phone_display

# Stored as the field's default in English; spoken in the project's caller language
# (routing/prompts.py) as long as staff have not written their own message.
DEFAULT_FALLBACK_MESSAGE = gettext_noop("The number you called is not available")

# What Stringee's `play` takes: a file uploaded to Stringee, or an http(s) link (as in routing).
validate_audio_file = RegexValidator(
    r"^(https?://\S+|[\w .()-]+\.(mp3|wav))$",
    _("Enter the name of a file uploaded to Stringee (e.g. closed.mp3) or an http(s) link."),
)


class CheckedInPython(models.Model):
    """A model whose CHECK constraints are also field validators or `clean()` rules.

    The database constraints stay the guarantee; forms and services show the same rules as
    field errors without one query per constraint, so only unique constraints (which need the
    database) are validated by `validate_constraints`.
    """

    class Meta:
        abstract = True

    def validate_constraints(self, exclude=None):
        errors: dict = {}
        for constraint in self._meta.constraints:
            if not isinstance(constraint, models.UniqueConstraint):
                continue
            try:
                constraint.validate(type(self), self, exclude=exclude)
            except ValidationError as exc:
                for name, messages in exc.update_error_dict({}).items():
                    errors.setdefault(name, []).extend(messages)
        if errors:
            raise ValidationError(errors)


def new_webhook_token() -> str:
    return secrets.token_urlsafe(24)


def validate_time_zone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(f"“{value}” is not a known time zone (e.g. Asia/Ho_Chi_Minh).")


SHOWN_SECRET_CHARACTERS = 4
# A secret shorter than this shows no character at all: its last four would be most of it.
SHORTEST_SECRET_SHOWN = 16


def mask_secret(secret: str) -> str:
    """Show only enough of a secret to recognise it: its last four characters at most."""
    if not secret:
        return ""
    if len(secret) < SHORTEST_SECRET_SHOWN:
        return "••••"
    return f"••••{secret[-SHOWN_SECRET_CHARACTERS:]}"


class SigningMode(models.TextChoices):
    """What the webhooks do with Stringee's X-STRINGEE-SIGNATURE (see docs/webhooks.md)."""

    OFF = "off", _("Off: do not check signatures")
    REPORT = "report", _("Report: accept unsigned or wrongly signed requests, but record them")
    ENFORCE = "enforce", _("Enforce: refuse unsigned or wrongly signed requests (403)")


class CallerVoice(models.TextChoices):
    """Stringee's text-to-speech voices (its `talk` action's `voice`), by the language they speak.

    The value is what the SCCO sends; the language decides the words of the system messages
    callers hear (fallback, voicemail prompt, wrong key, masking).
    """

    FEMALE = "female", _("English, female (Stringee's default voice)")
    MALE = "male", _("English, male")
    HN_FEMALE_THUTRANG = (
        "hn_female_thutrang_phrase_48k-hsmm",
        _("Vietnamese, female, Hanoi accent (Thu Trang)"),
    )
    HN_MALE_XUANTIN = (
        "hn_male_xuantin_vdts_48k-hsmm",
        _("Vietnamese, male, Hanoi accent (Xuân Tín)"),
    )
    SG_FEMALE_XUANHONG = (
        "sg_female_xuanhong_vdts_48k-hsmm",
        _("Vietnamese, female, Saigon accent (Xuân Hồng)"),
    )
    SG_MALE_XUANKIEN = (
        "sg_male_xuankien_vdts_48k-hsmm",
        _("Vietnamese, male, Saigon accent (Xuân Kiên)"),
    )
    BANMAI = "banmai", _("Vietnamese, female, northern (Ban Mai)")
    LEMINH = "leminh", _("Vietnamese, male, northern (Lê Minh)")
    LANNHI = "lannhi", _("Vietnamese, female, southern (Lan Nhi)")
    MYAN = "myan", _("Vietnamese, female, central (Mỹ An)")


ENGLISH_VOICES = frozenset({CallerVoice.FEMALE, CallerVoice.MALE})


class Project(models.Model):
    """One tenant: a Stringee project, identified by the projectId Stringee sends."""

    # Path from this model to its tenant, used by every scoped queryset (see portal.tenancy).
    tenant_lookup = "pk"
    # Saving or deleting it changes how the project's calls route (see portal.apps).
    invalidates_routing = True
    # Secrets are written, never read back: no page, export, history or API response shows them
    # (portal.tenancy leaves them out of read-only pages; forms take them as password inputs).
    write_only_fields = ("api_key_secret", "signing_secret")

    stringee_project_id = models.PositiveBigIntegerField(
        _("Stringee projectId"),
        unique=True,
        help_text=_("The projectId shown in the Stringee dashboard."),
    )
    name = models.CharField(max_length=200, verbose_name=_("name"))
    api_key_sid = models.CharField(_("API key SID"), max_length=64, unique=True)
    api_key_secret = models.CharField(_("API key secret"), max_length=128)
    webhook_token = models.CharField(
        max_length=64, unique=True, default=new_webhook_token, verbose_name=_("webhook token")
    )
    previous_webhook_token = models.CharField(
        max_length=64, blank=True, default="", verbose_name=_("previous webhook token")
    )
    webhook_token_rotated_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("webhook token rotated at")
    )
    signing_secret = models.CharField(
        _("signing secret key"),
        max_length=128,
        blank=True,
        default="",
        db_default="",  # rows written by raw SQL (bench data, COPY) get no secret and mode "off"
        help_text=_(
            "The project's “Signing secret key” from the "
            "Stringee dashboard (not the API key secret)."
        ),
    )
    signing_mode = models.CharField(
        _("webhook signatures"),
        max_length=8,
        choices=SigningMode.choices,
        default=SigningMode.OFF,
        db_default=SigningMode.OFF,
    )
    time_zone = models.CharField(
        max_length=64,
        default=settings.TIME_ZONE,
        validators=[validate_time_zone],
        verbose_name=_("time zone"),
    )
    fallback_message = models.CharField(
        max_length=500,
        default=DEFAULT_FALLBACK_MESSAGE,
        help_text=_("Spoken when a call matches no rule or routing fails."),
        verbose_name=_("fallback message"),
    )
    caller_voice = models.CharField(
        _("language and voice callers hear"),
        max_length=40,
        choices=CallerVoice.choices,
        default=CallerVoice.FEMALE,
        db_default=CallerVoice.FEMALE,
        help_text=_(
            "The voice of the messages the portal speaks (fallback, voicemail prompt, wrong key); "
            "a Vietnamese voice also speaks the default messages in Vietnamese."
        ),
    )
    retention_days = models.PositiveIntegerField(
        default=180,
        help_text=_("Call events and records older than this are deleted."),
        verbose_name=_("retention days"),
    )
    recording_retention_days = models.PositiveIntegerField(
        _("keep recordings for (days)"),
        null=True,
        blank=True,
        help_text=_(
            "Recordings older than this are deleted; the calls stay in the call log. "
            "Leave empty to keep recordings as long as their calls."
        ),
    )
    is_active = models.BooleanField(default=True, verbose_name=_("is active"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.stringee_project_id})"

    @property
    def caller_language(self) -> str:
        """The language ("en" or "vi") of the system messages callers hear."""
        return "en" if self.caller_voice in ENGLISH_VOICES else "vi"

    @property
    def spoken_voice(self) -> str | None:
        """The `voice` of the portal's `talk` actions; None leaves Stringee's default (female)."""
        return None if self.caller_voice == CallerVoice.FEMALE else self.caller_voice

    def clean(self) -> None:
        if self.signing_mode != SigningMode.OFF and not self.signing_secret:
            raise ValidationError(
                {"signing_secret": "Enter the signing secret key before checking signatures."}
            )

    @property
    def masked_secret(self) -> str:
        return mask_secret(self.api_key_secret)

    @property
    def masked_signing_secret(self) -> str:
        return mask_secret(self.signing_secret)

    @property
    def answer_url(self) -> str:
        return self._webhook_url("answer_url")

    @property
    def event_url(self) -> str:
        return self._webhook_url("event_url")

    def _webhook_url(self, path: str) -> str:
        """The project's public URL for one of Stringee's webhooks."""
        return f"{settings.PUBLIC_BASE_URL}/{path}/{self.stringee_project_id}/{self.webhook_token}/"

    def rotate_webhook_token(self) -> None:
        """Issue a new token; the old one keeps working for WEBHOOK_TOKEN_GRACE_SECONDS."""
        self.previous_webhook_token = self.webhook_token
        self.webhook_token = new_webhook_token()
        self.webhook_token_rotated_at = timezone.now()
        self.save(
            update_fields=[
                "webhook_token",
                "previous_webhook_token",
                "webhook_token_rotated_at",
                "updated_at",
            ]
        )

    def accepts_webhook_token(self, token: str, now=None) -> bool:
        """Constant-time check of a URL token, honouring the rotation grace period."""
        if secrets.compare_digest(self.webhook_token.encode(), token.encode()):
            return True
        if not self.previous_webhook_token or not self.webhook_token_rotated_at:
            return False
        grace = timedelta(seconds=settings.WEBHOOK_TOKEN_GRACE_SECONDS)
        if (now or timezone.now()) - self.webhook_token_rotated_at > grace:
            return False
        return secrets.compare_digest(self.previous_webhook_token.encode(), token.encode())


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


class AppUser(models.Model):
    """A Stringee client user (the `userId` an app logs in with) of one project."""

    tenant_lookup = "project"
    invalidates_routing = True

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="app_users", verbose_name=_("project")
    )
    user_id = models.CharField(_("Stringee userId"), max_length=128)
    display_name = models.CharField(max_length=200, blank=True, verbose_name=_("display name"))
    phone_number = E164Field(
        blank=True,
        help_text=_("Optional; where calls may be forwarded."),
        verbose_name=_("phone number"),
    )
    is_active = models.BooleanField(default=True, verbose_name=_("is active"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("app user")
        verbose_name_plural = _("app users")
        ordering = ["project", "user_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "user_id"], name="unique_user_id_per_project"
            ),
        ]

    def __str__(self) -> str:
        return self.user_id


class Membership(models.Model):
    """Gives a staff user a role in one project."""

    tenant_lookup = "project"

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        OPERATOR = "operator", _("Operator")
        VIEWER = "viewer", _("Viewer")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("project")
    )
    role = models.CharField(
        max_length=10, choices=Role.choices, default=Role.VIEWER, verbose_name=_("role")
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["project", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "project"], name="one_membership_per_user_project"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.project} ({self.role})"


class WebhookSignatureFailure(models.Model):
    """A webhook request whose X-STRINGEE-SIGNATURE was missing or wrong (shown to the tenant).

    Holds no secret and no body: the path (with the URL token blanked out), when, and why.
    """

    tenant_lookup = "project"

    class Reason(models.TextChoices):
        MISSING = "missing", _("No signature")
        MISMATCH = "mismatch", _("Wrong signature")

    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        related_name="signature_failures",
        verbose_name=_("project"),
    )
    at = models.DateTimeField(default=timezone.now, verbose_name=_("at"))
    path = models.CharField(max_length=500, verbose_name=_("path"))
    reason = models.CharField(max_length=8, choices=Reason.choices, verbose_name=_("reason"))

    class Meta:
        verbose_name = _("webhook signature failure")
        verbose_name_plural = _("webhook signature failures")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["project", "-at"], name="signature_failure_latest")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.path} ({self.reason})"


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


class AuditEntry(AbstractLogEntry):
    """One create, change or delete of a tenant's configuration (django-auditlog's log entry).

    Besides auditlog's own columns (what, when, which fields, staff user, remote address) it names
    the project the row belongs to, so that each tenant reads only its own history, and the caller
    when that is not a staff user: an API key, a Stringee JWT or a management command.
    """

    tenant_lookup = "project"

    # No database constraint: a deleted project's history stays readable by superusers.
    project = models.ForeignKey(
        Project,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("project"),
    )
    api_key = models.ForeignKey(
        ApiKey,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("API key"),
    )
    caller = models.CharField(_("changed by (program)"), max_length=200, blank=True, default="")

    objects = AuditEntryManager()
    # Names of the rows its changes point to, read for a whole page (audit.name_related_rows).
    related_names: dict | None = None

    class Meta(AbstractLogEntry.Meta):
        verbose_name = _("change")
        verbose_name_plural = _("change history")
        indexes = [models.Index(fields=["project", "-timestamp"], name="audit_project_latest")]

    def _get_changes_display_for_fk_field(self, field, value) -> str:
        """auditlog's name of a related row, taken from `related_names` when they were read."""
        related = field.related_model
        key = (related, related_key(related, value))
        if self.related_names is None or key not in self.related_names:
            return super()._get_changes_display_for_fk_field(field, value)
        name = self.related_names[key]
        return name if name is not None else f"Deleted '{related.__name__}' ({value})"


class Export(models.Model):
    """A CSV file of one admin list, asked for by a staff member and written by the worker.

    An export covers one project, so whoever may see that project may see it (staff of several
    projects get one file per project); a superuser's export of several tenants has no project
    and is seen by superusers only, as unassigned numbers are. `params` are the list's filters and
    search as its address carried them: the worker applies them again, as the person who asked
    and within the export's project (portal.exports).
    """

    tenant_lookup = "project"

    class Source(models.TextChoices):
        """The lists that can be exported (the worker builds no other)."""

        CALL_RECORDS = "calls.callrecord", _("Call records")
        CALL_EVENTS = "calls.callevent", _("Call events")
        CHANGE_HISTORY = "portal.auditentry", _("Change history")

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        RUNNING = "running", _("Running")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    project = models.ForeignKey(
        Project,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="exports",
        verbose_name=_("project"),
    )
    source = models.CharField(_("list"), max_length=40, choices=Source.choices)
    filters = models.CharField(
        _("rows"), max_length=500, blank=True, help_text=_("Empty: the whole list.")
    )
    params = models.JSONField(default=dict, editable=False)
    selected = models.JSONField(null=True, blank=True, editable=False)
    language = models.CharField(max_length=8, default="en", editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("asked for by"),
    )
    created_at = models.DateTimeField(_("asked for at"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.WAITING
    )
    attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    started_at = models.DateTimeField(null=True, blank=True, editable=False)
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True, editable=False)
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True, editable=False)
    rows_written = models.PositiveIntegerField(default=0, editable=False)
    size = models.PositiveBigIntegerField(_("size"), null=True, blank=True, editable=False)
    file = models.CharField(max_length=255, blank=True, editable=False)
    task_id = models.CharField(max_length=64, blank=True, editable=False)
    error = models.CharField(_("problem"), max_length=300, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        indexes = [
            models.Index(fields=["project", "-created_at"], name="export_project_latest"),
            models.Index(fields=["status", "heartbeat_at"], name="export_status_heartbeat"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["waiting", "running", "ready", "failed"]),
                name="export_status_known",
            ),
            models.CheckConstraint(
                condition=~Q(status="ready") | ~Q(file=""), name="export_ready_has_file"
            ),
        ]

    def __str__(self) -> str:
        when = timezone.localtime(self.created_at) if self.created_at else None
        return f"{self.get_source_display()}, {when:%Y-%m-%d %H:%M}" if when else str(self.source)

    @property
    def download_name(self) -> str:
        """The file name staff get: `callrecords-20261206.csv`, `change-history-20261206.csv`."""
        stems: dict[str, str] = {
            self.Source.CALL_RECORDS: "callrecords",
            self.Source.CALL_EVENTS: "callevents",
            self.Source.CHANGE_HISTORY: "change-history",
        }
        stem = stems.get(self.source, "export")
        return f"{stem}-{timezone.localtime(self.created_at):%Y%m%d}.csv"
