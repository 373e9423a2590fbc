"""Routing rules, IVR menus and the routing error log of each project, plus its compiled routing table.

A rule (or IVR option) that would produce an SCCO breaking the contract cannot be saved:
`clean()` builds its SCCO for a sample call and runs routing.scco's validator on it.
"""

import re

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from portal.models import AppUser, Project, VirtualNumber
from portal.phone import E164Field, stringee_digits
from routing.scco import RECORD_FORMATS


def validate_pattern(value: str) -> None:
    if value.startswith("^"):
        try:
            re.compile(value)
        except re.error as exc:
            raise ValidationError(f"Not a valid regular expression: {exc}.") from exc
    elif not re.fullmatch(r"\+?[0-9A-Za-z_.\-]+", value):
        raise ValidationError(
            "Enter a prefix such as 8490 (digits with country code) or a regex starting with ^."
        )


validate_days = RegexValidator(r"^[1-7]{0,7}$", "Days are ISO weekday digits, 1 = Monday … 7 = Sunday.")


class DestinationKind(models.TextChoices):
    USER = "user", "App user"
    PHONE = "phone", "External phone"
    SIP = "sip", "SIP address"
    MENU = "menu", "IVR menu"
    MESSAGE = "message", "Message, then hang up"
    VOICEMAIL = "voicemail", "Voicemail (record a message)"
    GROUP = "group", "Ring group"


class Destination(models.Model):
    """Where a call goes: shared by rules, IVR options and an IVR menu's fallback."""

    destination_kind = models.CharField(max_length=10, choices=DestinationKind.choices, default="user")
    destination_user = models.ForeignKey(
        AppUser,
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="+",
        help_text="Blank: the app user the call was made to.",
    )
    destination_number = E164Field(blank=True, help_text="Blank: the number the caller dialled.")
    destination_sip = models.CharField("SIP address", max_length=200, blank=True)
    destination_menu = models.ForeignKey(
        "routing.IvrMenu", null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    destination_group = models.ForeignKey(
        "routing.RingGroup", null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    message_text = models.CharField(
        max_length=1000, blank=True, help_text="Spoken text; blank plays the project's fallback message."
    )
    message_voice = models.CharField(
        max_length=100, blank=True, help_text="Stringee voice, e.g. hn_male_xuantin_vdts_48k-hsmm."
    )
    message_play_url = models.URLField("audio file URL", blank=True, help_text="Played instead of the text.")

    class Meta:
        abstract = True

    def destination_json(self) -> dict:
        """The destination as the routing snapshot stores it (routing.destinations reads it)."""
        return {
            "kind": self.destination_kind,
            "user": self.destination_user.user_id if self.destination_user_id else "",
            "number": self.destination_number or "",
            "sip": self.destination_sip,
            "menu": self.destination_menu_id,
            "group": self.destination_group_id,
            "text": self.message_text,
            "voice": self.message_voice,
            "play_url": self.message_play_url,
        }

    def destination_errors(self, project_id: int | None) -> dict[str, str]:
        """Missing fields of the chosen kind, and references to another project's data."""
        errors = {}
        kind = self.destination_kind
        if kind == DestinationKind.SIP and not self.destination_sip.strip():
            errors["destination_sip"] = "Enter the SIP address to connect to."
        if kind == DestinationKind.MENU and not self.destination_menu_id:
            errors["destination_menu"] = "Choose the IVR menu."
        if kind == DestinationKind.GROUP and not self.destination_group_id:
            errors["destination_group"] = "Choose the ring group."
        if self.destination_group_id and self.destination_group.project_id != project_id:
            errors["destination_group"] = "This ring group belongs to another project."
        if self.destination_user_id and self.destination_user.project_id != project_id:
            errors["destination_user"] = "This app user belongs to another project."
        if self.destination_menu_id and self.destination_menu.project_id != project_id:
            errors["destination_menu"] = "This menu belongs to another project."
        return errors


# SCCO field (last part of a validator path) → the model field that set it.
SCCO_FIELDS = {
    "customData": "custom_data",
    "timeout": "timeout",
    "maxConnectTime": "max_connect_time",
    "peerToPeerCall": "peer_to_peer_call",
    "format": "record_format",
    "text": "message_text",
    "voice": "message_voice",
    "file": "message_play_url",
}


def scco_errors(
    problems: list[str], destination_field: str, fields: dict[str, str] = SCCO_FIELDS
) -> dict[str, list[str]]:
    """Validator problems keyed by the model field that caused each one."""
    errors: dict[str, list[str]] = {}
    for problem in problems:
        path = problem.split(":", 1)[0]
        keys = re.findall(r"\.(\w+)", path)
        name = next((fields[key] for key in reversed(keys) if key in fields), None)
        if name is None:
            name = destination_field if {"to", "from"} & set(keys) else NON_FIELD_ERRORS
        errors.setdefault(name, []).append(f"The SCCO would be invalid: {problem}")
    return errors


class RoutingRule(Destination):
    """One routing rule of a project: when a call matches, where it goes and how."""

    tenant_lookup = "project"
    invalidates_routing = True

    class Direction(models.TextChoices):
        ANY = "any", "Any call"
        APP = "app", "From an app user"
        PHONE = "phone", "From a phone"

    class Called(models.TextChoices):
        ANY = "any", "Anything"
        NUMBER = "number", "One of the project's numbers"
        USER = "user", "One app user"
        ANY_USER = "any_user", "Any app user of the project"
        PATTERN = "pattern", "A number prefix or pattern"

    class Hours(models.TextChoices):
        ANY = "any", "Any time"
        OPEN = "open", "Only while open (business hours)"
        CLOSED = "closed", "Only while closed (outside hours, holidays)"

    class OnFail(models.TextChoices):
        MESSAGE = "message", "Say a message"
        VOICEMAIL = "voicemail", "Take a voicemail"
        PHONE = "phone", "Forward to a phone"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="routing_rules")
    name = models.CharField(max_length=200)
    priority = models.PositiveIntegerField(default=100, help_text="Lower runs first.")
    enabled = models.BooleanField(default=True)
    # match
    direction = models.CharField(max_length=5, choices=Direction.choices, default=Direction.ANY)
    called_kind = models.CharField("called", max_length=10, choices=Called.choices, default=Called.ANY)
    called_number = models.ForeignKey(
        VirtualNumber, null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    called_user = models.ForeignKey(
        AppUser, null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    called_pattern = models.CharField(max_length=100, blank=True, validators=[validate_pattern])
    caller_pattern = models.CharField(
        max_length=100, blank=True, validators=[validate_pattern], help_text="Blank: any caller."
    )
    schedule_days = models.CharField(
        "days", max_length=7, blank=True, validators=[validate_days], help_text="Blank: every day."
    )
    schedule_start = models.TimeField("from", null=True, blank=True, help_text="Project time zone.")
    schedule_end = models.TimeField("until", null=True, blank=True, help_text="Exclusive; may pass midnight.")
    business_hours = models.CharField(
        max_length=6,
        choices=Hours.choices,
        default=Hours.ANY,
        blank=True,
        help_text="Against the project's calendar (Routing › Opening hours, Holidays). Blank: any time.",
    )
    # options
    record = models.BooleanField(default=False)
    record_format = models.CharField(max_length=3, choices=[(f, f) for f in RECORD_FORMATS], default="mp3")
    timeout = models.PositiveIntegerField(null=True, blank=True, help_text="Seconds of ringing.")
    max_connect_time = models.IntegerField(null=True, blank=True, help_text="Seconds; -1 unlimited.")
    custom_data = models.CharField(max_length=1000, blank=True)
    peer_to_peer_call = models.BooleanField(null=True, blank=True, help_text="Blank: Stringee's default.")
    continue_on_fail = models.BooleanField(default=False, help_text="When the callee cannot be reached…")
    on_fail_kind = models.CharField("on fail", max_length=10, choices=OnFail.choices, default=OnFail.MESSAGE)
    on_fail_number = E164Field(blank=True)
    on_fail_text = models.CharField(max_length=500, blank=True)
    caller_id = models.ForeignKey(
        VirtualNumber,
        verbose_name="caller ID",
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="+",
        help_text="Shown on calls to phones and SIP; must be a number of this project.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["project", "priority", "id"]
        indexes = [models.Index(fields=["project", "enabled", "priority"])]
        constraints = [
            models.CheckConstraint(
                name="schedule_window_complete",
                condition=Q(schedule_start__isnull=True, schedule_end__isnull=True)
                | Q(schedule_start__isnull=False, schedule_end__isnull=False),
            ),
            models.CheckConstraint(
                name="rule_timeout_positive", condition=Q(timeout__isnull=True) | Q(timeout__gte=1)
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.business_hours = self.business_hours or self.Hours.ANY
        errors = {**self.destination_errors(self.project_id), **self._match_errors()}
        if self.caller_id_id and not self.caller_id.belongs_to(self.project_id):
            errors["caller_id"] = f"{self.caller_id} is not a number of this project."
        if self.continue_on_fail and self.on_fail_kind == self.OnFail.PHONE and not self.on_fail_number:
            errors["on_fail_number"] = "Enter the phone number to forward to when the callee is unreachable."
        if errors:
            raise ValidationError(errors)
        from routing.checks import check_rule_scco

        check_rule_scco(self)

    def _match_errors(self) -> dict[str, str]:
        errors = {}
        kind = self.called_kind
        if kind == self.Called.NUMBER and not self.called_number_id:
            errors["called_number"] = "Choose the called number."
        if kind == self.Called.USER and not self.called_user_id:
            errors["called_user"] = "Choose the called app user."
        if kind == self.Called.PATTERN and not self.called_pattern:
            errors["called_pattern"] = "Enter the prefix or pattern of the called number."
        if self.called_number_id and self.called_number.project_id != self.project_id:
            errors["called_number"] = "This number is not one of the project's."
        if self.called_user_id and self.called_user.project_id != self.project_id:
            errors["called_user"] = "This app user belongs to another project."
        if (self.schedule_start is None) != (self.schedule_end is None):
            errors["schedule_end"] = "Give both ends of the time window, or neither."
        return errors

    def as_routing_json(self) -> dict:
        """The rule as the routing snapshot stores it (related rows should be select_related)."""
        owned = self.caller_id_id and self.caller_id.belongs_to(self.project_id)
        on_fail = None
        if self.continue_on_fail:
            on_fail = {"kind": self.on_fail_kind, "number": self.on_fail_number, "text": self.on_fail_text}
        return {
            "id": self.pk,
            "name": self.name,
            "direction": self.direction,
            "called": {
                "kind": self.called_kind,
                "number": self.called_number.number if self.called_number_id else None,
                "user": self.called_user.user_id if self.called_user_id else None,
                "pattern": self.called_pattern,
            },
            "caller_pattern": self.caller_pattern,
            "days": sorted({int(day) for day in self.schedule_days}),
            "start": self.schedule_start.isoformat() if self.schedule_start else None,
            "end": self.schedule_end.isoformat() if self.schedule_end else None,
            "hours": self.business_hours,
            "destination": self.destination_json(),
            "options": {
                "record": self.record,
                "record_format": self.record_format,
                "timeout": self.timeout,
                "max_connect_time": self.max_connect_time,
                "custom_data": self.custom_data,
                "peer_to_peer_call": self.peer_to_peer_call,
                "caller_id": stringee_digits(self.caller_id.number) if owned else None,
                "on_fail": on_fail,
            },
        }


class RoutingErrorLog(models.Model):
    """A call that got the fallback because routing failed or matched nothing (staff read these)."""

    tenant_lookup = "project"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="routing_errors")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    call_id = models.CharField(max_length=128, blank=True, db_index=True)
    params = models.JSONField(default=dict, help_text="The request's query parameters.")
    error = models.TextField()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.call_id or '-'}"


class RoutingTable(models.Model):
    """A project's rules, numbers, users and menus compiled into one JSON row (routing.snapshot)."""

    tenant_lookup = "project"

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="routing_table")
    data = models.JSONField()
    built_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Routing table of {self.project_id}"


# Models of the other routing concepts live in their own modules; Django finds them through here.
from routing.calendar_models import Holiday, OpeningHours  # noqa: E402
from routing.group_models import ConferenceRoom, RingGroup, RingGroupMember  # noqa: E402
from routing.ivr_models import IvrMenu, IvrOption  # noqa: E402
from routing.masking_models import MaskingBinding, MaskingPoolNumber, MaskingSession  # noqa: E402

__all__ = [
    "ConferenceRoom",
    "Holiday",
    "IvrMenu",
    "IvrOption",
    "MaskingBinding",
    "MaskingPoolNumber",
    "MaskingSession",
    "OpeningHours",
    "RingGroup",
    "RingGroupMember",
    "RoutingErrorLog",
    "RoutingRule",
    "RoutingTable",
]
