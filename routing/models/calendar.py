"""A project's business calendar: weekly opening hours and dated holidays, in the project's time
zone."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.models import Project
from routing.weekdays import DAY_NAMES

WEEKDAYS = list(enumerate(DAY_NAMES, start=1))  # ISO: 1 = Monday … 7 = Sunday


class OpeningHours(models.Model):
    """One opening window of a weekday, [opens, closes); a closing time of 00:00 means midnight."""

    tenant_lookup = "project"
    invalidates_routing = True

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="opening_hours", verbose_name=_("project")
    )
    weekday = models.PositiveSmallIntegerField(choices=WEEKDAYS, verbose_name=_("weekday"))
    opens = models.TimeField(verbose_name=_("opens"))
    closes = models.TimeField(
        help_text=_("Exclusive; 00:00 means the end of the day."), verbose_name=_("closes")
    )

    class Meta:
        ordering = ["project", "weekday", "opens"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        constraints = [
            models.CheckConstraint(
                name="opening_weekday_iso", condition=Q(weekday__gte=1, weekday__lte=7)
            ),
            models.CheckConstraint(
                name="opening_window_forward",
                condition=Q(opens__lt=models.F("closes")) | Q(closes="00:00:00"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def clean(self) -> None:
        if (
            self.opens
            and self.closes
            and self.closes.isoformat() != "00:00:00"
            and self.closes <= self.opens
        ):
            raise ValidationError({"closes": "Closing must be after opening (00:00 for midnight)."})

    def as_window(self) -> list[str]:
        return [self.opens.isoformat(), self.closes.isoformat()]


class Holiday(models.Model):
    """A whole local day (midnight to midnight, project time zone) on which the project is
    closed."""

    tenant_lookup = "project"
    invalidates_routing = True

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="holidays", verbose_name=_("project")
    )
    date = models.DateField(verbose_name=_("date"))
    name = models.CharField(max_length=200, blank=True, verbose_name=_("name"))

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["project", "date"]
        constraints = [
            models.UniqueConstraint(fields=["project", "date"], name="one_holiday_per_project_date")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}".strip()
