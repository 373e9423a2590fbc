"""App users: the Stringee client users (`userId`) of a project."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.models.projects import Project
from portal.phone import E164Field


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
