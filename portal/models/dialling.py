"""Where a project's calls may go: one row per country, with the kinds of number allowed there
(portal.dialling). A project without any row may call its own country's mobile and fixed lines
(`PHONE_DEFAULT_REGION`); superusers widen or narrow it, owners see it."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.dialling import DEFAULT_KINDS, DialPolicy, NumberKind, country_choices
from portal.models.projects import Project


class AllowedDestination(models.Model):
    """The kinds of phone number in one country that a project's calls may be sent to."""

    tenant_lookup = "project"
    invalidates_routing = True  # routing tables carry the policy, checked at every call

    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        related_name="allowed_destinations",
        verbose_name=_("project"),
    )
    country = models.CharField(_("country"), max_length=2, choices=country_choices)
    kinds = models.JSONField(
        _("kinds of number"),
        default=list,
        blank=True,
        help_text=_("None ticked: no call to this country."),
    )

    class Meta:
        verbose_name = _("where calls may go")
        verbose_name_plural = _("where calls may go")
        ordering = ["project", "country"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "country"], name="one_allowance_per_project_country"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_country_display()}: {', '.join(self.kinds) or '-'}"

    def clean(self) -> None:
        unknown = set(self.kinds or []) - set(NumberKind.values)
        if not isinstance(self.kinds, list) or unknown:
            raise ValidationError({"kinds": _("Choose among the kinds of number listed.")})


def dial_policy(project_id: int) -> DialPolicy:
    """Where the project's calls may go (its own rows, else the default: the home country's
    mobile and fixed lines)."""
    rows = list(
        AllowedDestination.objects.filter(project_id=project_id).values_list("country", "kinds")
    )
    if not rows:
        return DialPolicy({settings.PHONE_DEFAULT_REGION: frozenset(DEFAULT_KINDS)})
    return DialPolicy({country: frozenset(kinds) for country, kinds in rows})
