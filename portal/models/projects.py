"""A tenant: one Stringee project, with its keys, webhook token and what its callers hear; and the
webhook requests whose signature failed, which its staff see."""

import secrets
from datetime import timedelta
from zoneinfo import available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

# Stored as the field's default in English; spoken in the project's caller language
# (routing/prompts.py) as long as staff have not written their own message.
DEFAULT_FALLBACK_MESSAGE = gettext_noop("The number you called is not available")
# Calls a project may send to phone numbers in one hour unless a superuser says otherwise
# (portal.dialling; a ceiling on what a stolen password or leaked key can cost).
DEFAULT_EXTERNAL_CALLS_PER_HOUR = 300


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


def call_setup_base_url() -> str:
    """The public base of the answer_url and of the callbacks in SCCOs: CALL_SETUP_BASE_URL when
    call setup has workers of its own (docs/deploy.md), PUBLIC_BASE_URL otherwise."""
    return settings.CALL_SETUP_BASE_URL or settings.PUBLIC_BASE_URL


class Project(models.Model):
    """One tenant: a Stringee project, identified by the projectId Stringee sends."""

    # Path from this model to its tenant, used by every scoped queryset (see portal.tenancy).
    tenant_lookup = "pk"
    # Saving or deleting it changes how the project's calls route (see routing.cache).
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
    keep_recording_copies = models.BooleanField(
        _("keep a copy of recordings in the portal"),
        default=False,
        db_default=False,
        help_text=_(
            "The portal then copies each new recording from Stringee and plays its own copy, "
            "so recordings still play if Stringee removes them. Copies are deleted with the "
            "recordings (see “keep recordings for”)."
        ),
    )
    external_calls_per_hour = models.PositiveIntegerField(
        _("calls to phone numbers per hour, at most"),
        null=True,
        blank=True,
        default=DEFAULT_EXTERNAL_CALLS_PER_HOUR,
        db_default=DEFAULT_EXTERNAL_CALLS_PER_HOUR,
        help_text=_(
            "Past this many calls sent to phone numbers in one hour, callers hear the fallback "
            "message instead, and the dashboard says so. Empty: no ceiling."
        ),
    )
    staff_need_second_factor = models.BooleanField(
        _("staff must use two-factor sign-in"),
        default=False,
        db_default=False,  # rows written in bulk without it (the benchmark's COPY) ask nothing
        help_text=_(
            "Everyone working on this project then types a code from an authenticator app on "
            "their phone after their password. Those who have not set one up are asked to at "
            "their next sign-in."
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
        return self._webhook_url(call_setup_base_url(), "answer_url")

    @property
    def event_url(self) -> str:
        return self._webhook_url(settings.PUBLIC_BASE_URL, "event_url")

    def _webhook_url(self, base: str, path: str) -> str:
        """The project's public URL for one of Stringee's webhooks."""
        return f"{base}/{path}/{self.stringee_project_id}/{self.webhook_token}/"

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


class WebhookSignatureFailure(models.Model):
    """A webhook request whose X-STRINGEE-SIGNATURE was missing or wrong (shown to the tenant).

    Holds no secret and no body: the path (with the URL token blanked out), when, and why.
    """

    tenant_lookup = "project"
    invalidates_routing = False  # no routing table reads it

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
