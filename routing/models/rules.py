"""Routing rules of a project: when a call matches, where it goes and with which options."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from portal.models import AppUser, Project, VirtualNumber
from portal.phone import E164Field
from routing.kinds import CalledKind, Direction, Hours, OnFail
from routing.models.destination import CallerIdMixin, Destination, another_projects
from routing.patterns import PatternError, compile_pattern
from routing.scco import RECORD_FORMATS
from routing.weekdays import EXAMPLES, DaysError, days_label, normalise_days, parse_days


def validate_pattern(value: str) -> None:
    if value.startswith("^"):
        try:
            compile_pattern(value)
        except PatternError as exc:  # backreferences and lookaround: RE2 runs in linear time only
            raise ValidationError(
                f"Not a regular expression the portal can run ({exc}). Patterns use RE2 syntax:"
                " no backreferences or lookaround."
            ) from None
    elif not re.fullmatch(r"\+?[0-9A-Za-z_.\-]+", value):
        raise ValidationError(
            _("Enter a prefix such as 8490 (digits with country code) or a regex starting with ^.")
        )


validate_days = RegexValidator(
    r"^[1-7]{0,7}$", "Days are ISO weekday digits, 1 = Monday … 7 = Sunday."
)
DAYS_HELP = format_lazy("{} {}. {}", _("e.g."), EXAMPLES, _("Blank: every day."))
DAYS_TEXT_MAX = 60  # characters staff may type ("Monday,Wednesday,Friday" and the like)


class DaysFormField(forms.CharField):
    """Days as staff type them ("Mon-Fri", "1-5", "1,3,5"), cleaned to the stored digits."""

    def __init__(self, **kwargs):
        kwargs["max_length"] = DAYS_TEXT_MAX
        kwargs.setdefault("help_text", DAYS_HELP)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("placeholder", "Mon-Fri")

    def to_python(self, value):
        text = super().to_python(value)
        try:
            return normalise_days(text)
        except DaysError as exc:
            raise ValidationError(str(exc), code="invalid") from None

    def prepare_value(self, value):
        """Stored digits are shown as words (Mon to Fri with an en dash); what staff typed is
        shown as typed."""
        if isinstance(value, str) and value.isascii() and value.isdigit():
            try:
                return days_label(value)
            except DaysError:
                return value
        return value


class DaysField(models.CharField):
    """A rule's days, stored as ISO weekday digits ("12345"); reads every form `parse_days`
    takes, so a model cleaned with any of them stores the normalised digits."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 7)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return text
        try:
            return normalise_days(text)
        except DaysError as exc:
            raise ValidationError(str(exc), code="invalid") from None

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": DaysFormField, **kwargs})


class RoutingRule(CallerIdMixin, Destination):
    """One routing rule of a project: when a call matches, where it goes and how."""

    tenant_lookup = "project"
    dialled_fields = ("destination_number", "on_fail_number")
    invalidates_routing = True

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="routing_rules", verbose_name=_("project")
    )
    name = models.CharField(max_length=200, verbose_name=_("name"))
    priority = models.PositiveIntegerField(
        default=100, help_text=_("Lower runs first."), verbose_name=_("priority")
    )
    enabled = models.BooleanField(default=True, verbose_name=_("enabled"))
    # match
    direction = models.CharField(
        max_length=5,
        choices=Direction.choices(),
        default=Direction.ANY,
        verbose_name=_("direction"),
    )
    called_kind = models.CharField(
        _("called"), max_length=10, choices=CalledKind.choices(), default=CalledKind.ANY
    )
    called_number = models.ForeignKey(
        VirtualNumber,
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="+",
        verbose_name=_("called number"),
    )
    called_user = models.ForeignKey(
        AppUser,
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="+",
        verbose_name=_("called user"),
    )
    called_pattern = models.CharField(
        max_length=100, blank=True, validators=[validate_pattern], verbose_name=_("called pattern")
    )
    caller_pattern = models.CharField(
        max_length=100,
        blank=True,
        validators=[validate_pattern],
        help_text=_("Blank: any caller."),
        verbose_name=_("caller pattern"),
    )
    schedule_days = DaysField(
        _("days"),
        max_length=7,
        blank=True,
        validators=[validate_days],
        help_text=DAYS_HELP,
    )
    schedule_start = models.TimeField(
        _("from"), null=True, blank=True, help_text=_("Project time zone.")
    )
    schedule_end = models.TimeField(
        _("until"), null=True, blank=True, help_text=_("Exclusive; may pass midnight.")
    )
    business_hours = models.CharField(
        max_length=6,
        choices=Hours.choices(),
        default=Hours.ANY,
        blank=True,
        help_text=_(
            "Against the project's calendar (Routing › Opening hours, Holidays). Blank: any time."
        ),
        verbose_name=_("business hours"),
    )
    # options
    record = models.BooleanField(default=False, verbose_name=_("record"))
    record_format = models.CharField(
        max_length=3,
        choices=[(f, f) for f in RECORD_FORMATS],
        default="mp3",
        verbose_name=_("record format"),
    )
    timeout = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Seconds of ringing."),
        verbose_name=_("timeout"),
    )
    max_connect_time = models.IntegerField(
        null=True,
        blank=True,
        help_text=_("Seconds; -1 unlimited."),
        verbose_name=_("max connect time"),
    )
    custom_data = models.CharField(max_length=1000, blank=True, verbose_name=_("custom data"))
    peer_to_peer_call = models.BooleanField(
        null=True,
        blank=True,
        help_text=_("Blank: Stringee's default."),
        verbose_name=_("peer to peer call"),
    )
    continue_on_fail = models.BooleanField(
        default=False,
        help_text=_("When the callee cannot be reached…"),
        verbose_name=_("continue on fail"),
    )
    on_fail_kind = models.CharField(
        _("on fail"), max_length=10, choices=OnFail.choices(), default=OnFail.MESSAGE
    )
    on_fail_number = E164Field(blank=True, verbose_name=_("on fail number"))
    on_fail_text = models.CharField(max_length=500, blank=True, verbose_name=_("on fail text"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
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
        self.business_hours = self.business_hours or Hours.ANY
        errors = {**self.destination_errors(self.project_id), **self._match_errors()}
        try:  # services may be handed days as typed ("Mon-Fri"): store the digits
            self.schedule_days = normalise_days(self.schedule_days)
        except DaysError as exc:
            errors["schedule_days"] = str(exc)
        errors.update(self.caller_id_errors(self.project_id))
        if self.continue_on_fail and self.on_fail_kind == OnFail.PHONE and not self.on_fail_number:
            errors["on_fail_number"] = (
                "Enter the phone number to forward to when the callee is unreachable."
            )
        if errors:
            raise ValidationError(errors)

    def _match_errors(self) -> dict[str, str]:
        errors = {}
        kind = self.called_kind
        if kind == CalledKind.NUMBER and not self.called_number_id:
            errors["called_number"] = "Choose the called number."
        if kind == CalledKind.USER and not self.called_user_id:
            errors["called_user"] = "Choose the called app user."
        if kind == CalledKind.PATTERN and not self.called_pattern:
            errors["called_pattern"] = "Enter the prefix or pattern of the called number."
        if another_projects(self.called_number, self.project_id):
            errors["called_number"] = "This number is not one of the project's."
        if another_projects(self.called_user, self.project_id):
            errors["called_user"] = "This app user belongs to another project."
        if (self.schedule_start is None) != (self.schedule_end is None):
            errors["schedule_end"] = "Give both ends of the time window, or neither."
        return errors

    def conditions_json(self) -> dict:
        """When the rule applies, as the routing table stores it (related rows should be
        select_related)."""
        return {
            "direction": self.direction,
            "called": {
                "kind": self.called_kind,
                "number": self.called_number.number if self.called_number is not None else None,
                "user": self.called_user.user_id if self.called_user is not None else None,
                "pattern": self.called_pattern,
            },
            "caller_pattern": self.caller_pattern,
            "days": list(parse_days(self.schedule_days)),
            "start": self.schedule_start.isoformat() if self.schedule_start else None,
            "end": self.schedule_end.isoformat() if self.schedule_end else None,
            "hours": self.business_hours,
        }

    def as_routing_json(self) -> dict:
        """The rule as the routing snapshot stores it (related rows should be select_related)."""
        on_fail = None
        if self.continue_on_fail:
            on_fail = {
                "kind": self.on_fail_kind,
                "number": self.on_fail_number,
                "text": self.on_fail_text,
            }
        return {
            "id": self.pk,
            "name": self.name,
            **self.conditions_json(),
            "destination": self.destination_json(),
            "options": {
                "record": self.record,
                "record_format": self.record_format,
                "timeout": self.timeout,
                "max_connect_time": self.max_connect_time,
                "custom_data": self.custom_data,
                "peer_to_peer_call": self.peer_to_peer_call,
                "caller_id": self.caller_id_digits(self.project_id),
                "on_fail": on_fail,
            },
        }
