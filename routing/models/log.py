"""The routing error log: calls that got the fallback message, and why (staff read these)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.models import Project


class RoutingErrorLog(models.Model):
    """A call that got the fallback because routing failed or matched nothing (staff read these)."""

    tenant_lookup = "project"
    invalidates_routing = False  # no routing table reads it

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="routing_errors", verbose_name=_("project")
    )
    created_at = models.DateTimeField(
        auto_now_add=True, db_index=True, verbose_name=_("created at")
    )
    call_id = models.CharField(max_length=128, blank=True, db_index=True, verbose_name=_("call id"))
    params = models.JSONField(
        default=dict, help_text=_("The request's query parameters."), verbose_name=_("params")
    )
    error = models.TextField(verbose_name=_("error"))

    class Meta:
        verbose_name = _("routing error")
        verbose_name_plural = _("routing errors")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["project", "-created_at"], name="routing_error_project_latest")
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.call_id or '-'}"
