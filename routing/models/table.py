"""A project's compiled routing table: one JSON row the answer_url reads (built by
routing.snapshot)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.models import Project


class RoutingTable(models.Model):
    """A project's rules, numbers, users and menus compiled into one JSON row (routing.snapshot)."""

    tenant_lookup = "project"
    invalidates_routing = False  # no routing table reads it

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, related_name="routing_table", verbose_name=_("project")
    )
    data = models.JSONField()
    built_at = models.DateTimeField(auto_now=True, verbose_name=_("built at"))

    class Meta:
        verbose_name = _("routing table")
        verbose_name_plural = _("routing tables")

    def __str__(self) -> str:
        return f"Routing table of {self.project_id}"
