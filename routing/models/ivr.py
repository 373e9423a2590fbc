"""IVR menus (hotlines): a greeting, keys the caller presses, and where each key leads."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.models import Project
from routing.engine.destinations import INVALID_CHOICE_MESSAGE
from routing.kinds import DestinationKind
from routing.models.destination import AUDIO_HELP, Destination, validate_audio


class IvrMenu(Destination):
    """A voice menu: a greeting, then the caller presses a key; the destination is its final
    step."""

    tenant_lookup = "project"
    invalidates_routing = True

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="ivr_menus", verbose_name=_("project")
    )
    name = models.CharField(max_length=200, verbose_name=_("name"))
    greeting_text = models.CharField(max_length=1000, blank=True, verbose_name=_("greeting text"))
    greeting_voice = models.CharField(max_length=100, blank=True, verbose_name=_("greeting voice"))
    greeting_audio = models.CharField(
        _("greeting audio file"),
        max_length=500,
        blank=True,
        validators=[validate_audio],
        help_text=AUDIO_HELP,
    )
    timeout = models.PositiveIntegerField(
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(3600)],
        help_text=_("Seconds to wait for a key."),
        verbose_name=_("timeout"),
    )
    max_retries = models.PositiveIntegerField(
        default=2,
        validators=[MaxValueValidator(10)],
        help_text=_("Tries after the first invalid or missing key."),
        verbose_name=_("max retries"),
    )
    invalid_message = models.CharField(
        max_length=500, default=INVALID_CHOICE_MESSAGE, verbose_name=_("invalid message")
    )
    destination_kind = models.CharField(
        _("final step"),
        max_length=10,
        choices=DestinationKind.choices(),
        default="message",
        help_text=_("Where the call goes when no valid key was pressed after the last try."),
    )

    class Meta:
        verbose_name = _("IVR menu")
        verbose_name_plural = _("IVR menus")
        ordering = ["project", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "name"], name="unique_menu_name_per_project"
            ),
            models.CheckConstraint(
                name="menu_timeout_positive", condition=Q(timeout__gte=1, timeout__lte=3600)
            ),
            models.CheckConstraint(name="menu_retries_bounded", condition=Q(max_retries__lte=10)),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = self.destination_errors(self.project_id)
        if not self.greeting_text.strip() and not self.greeting_audio:
            errors["greeting_text"] = "Enter the greeting text or an audio file."
        if self.pk and self.destination_menu_id == self.pk:
            errors["destination_menu"] = "A menu cannot be its own final step."
        if errors:
            raise ValidationError(errors)

    def as_routing_json(self, options: Iterable[IvrOption] | None = None) -> dict:
        """The menu as the routing snapshot stores it (options must be prefetched for speed).
        `options` stands for the stored keys, for a menu not saved yet."""
        if options is None:
            options = self.options.all() if self.pk else []
        return {
            "id": self.pk,
            "name": self.name,
            "text": self.greeting_text,
            "voice": self.greeting_voice,
            "audio": self.greeting_audio,
            "timeout": self.timeout,
            "max_retries": self.max_retries,
            "invalid_message": self.invalid_message,
            "final": self.destination_json(),
            "options": {o.digit: o.destination_json() for o in options},
        }


class IvrOption(Destination):
    """One key of a menu and where it sends the caller (at most 12: 0-9, * and #)."""

    tenant_lookup = "menu__project"
    invalidates_routing = True
    DIGITS = [(digit, digit) for digit in "1234567890*#"]

    menu = models.ForeignKey(
        IvrMenu, on_delete=models.CASCADE, related_name="options", verbose_name=_("menu")
    )
    digit = models.CharField(max_length=1, choices=DIGITS, verbose_name=_("digit"))

    class Meta:
        verbose_name = _("IVR menu key")
        verbose_name_plural = _("IVR menu keys")
        ordering = ["menu", "digit"]
        constraints = [
            models.UniqueConstraint(fields=["menu", "digit"], name="one_option_per_digit"),
            models.CheckConstraint(
                name="option_digit_is_a_key", condition=Q(digit__in=list("0123456789*#"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.menu} [{self.digit}]"

    def clean(self) -> None:
        menu = getattr(self, "menu", None)  # the inline admin validates options of a new menu
        project_id = menu.project_id if menu is not None else None
        errors = self.destination_errors(project_id)
        if self.destination_kind == DestinationKind.PHONE and not self.destination_number:
            errors["destination_number"] = "Enter the phone number this key forwards to."
        if self.destination_kind == DestinationKind.USER and not self.destination_user_id:
            errors["destination_user"] = "Choose the app user this key rings."
        if errors:
            raise ValidationError(errors)
