"""Staff roles: which staff user is owner, operator or viewer of which project."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.models.projects import Project


class Membership(models.Model):
    """Gives a staff user a role in one project."""

    tenant_lookup = "project"
    invalidates_routing = False  # no routing table reads it

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
