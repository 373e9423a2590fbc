"""Ring groups (members tried one after another) and conference rooms of a project.

Stringee's `connect` takes one `to`, so a group rings one member at a time: each leg has
`continueOnFail` and its failure comes back to the portal, which answers the next member's
connect or, when all have failed, the group's final step (a Destination).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.models import AppUser, CheckedInPython, Project
from portal.phone import E164Field
from routing.kinds import DestinationKind, PartyKind, Strategy
from routing.models.destination import CallerIdMixin, Destination, another_projects


class RingGroup(CallerIdMixin, Destination):
    """A named group of app users and phones; the destination fields are the final step."""

    tenant_lookup = "project"
    invalidates_routing = True

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="ring_groups", verbose_name=_("project")
    )
    name = models.CharField(max_length=200, verbose_name=_("name"))
    strategy = models.CharField(
        max_length=12,
        choices=Strategy.choices(),
        default=Strategy.SEQUENTIAL,
        verbose_name=_("strategy"),
    )
    destination_kind = models.CharField(
        _("when all fail"),
        max_length=10,
        choices=DestinationKind.choices(),
        default=DestinationKind.VOICEMAIL,
        help_text=_("What the caller gets when no member answered."),
    )

    class Meta:
        verbose_name = _("ring group")
        verbose_name_plural = _("ring groups")
        ordering = ["project", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "name"], name="unique_group_name_per_project"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = self.destination_errors(self.project_id)
        if self.pk and self.destination_group_id == self.pk:
            errors["destination_group"] = "A group cannot fall back to itself."
        errors.update(self.caller_id_errors(self.project_id))
        if errors:
            raise ValidationError(errors)

    def as_routing_json(
        self, active_users: set[str], members: Iterable[RingGroupMember] | None = None
    ) -> dict:
        """The group as the routing snapshot stores it; members who cannot be rung are left out.
        `members` (in ring order) stands for the stored ones, for a group not saved yet."""
        ringable = []
        for member in self.members.all() if members is None else members:
            if member.kind == PartyKind.USER:
                if member.user is not None and member.user.user_id in active_users:
                    ringable.append(
                        {"kind": "user", "address": member.user.user_id, "timeout": member.timeout}
                    )
            elif member.number:
                ringable.append(
                    {"kind": "phone", "address": member.number, "timeout": member.timeout}
                )
        return {
            "id": self.pk,
            "name": self.name,
            "strategy": self.strategy,
            "caller_id": self.caller_id_digits(self.project_id),
            "members": ringable,
            "final": self.destination_json(),
        }


class RingGroupMember(CheckedInPython):
    """One member of a ring group, tried in `position` order, rung for `timeout` seconds."""

    tenant_lookup = "group__project"
    dialled_fields = ("number",)  # checked like Destination.dialled_fields
    invalidates_routing = True

    group = models.ForeignKey(
        RingGroup, on_delete=models.CASCADE, related_name="members", verbose_name=_("group")
    )
    position = models.PositiveIntegerField(default=0, verbose_name=_("position"))
    kind = models.CharField(
        max_length=5, choices=PartyKind.choices(), default=PartyKind.USER, verbose_name=_("kind")
    )
    user = models.ForeignKey(
        AppUser,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("user"),
    )
    number = E164Field(blank=True, verbose_name=_("number"))
    timeout = models.PositiveIntegerField(
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(3600)],
        help_text=_("Seconds of ringing before the next member."),
        verbose_name=_("timeout"),
    )

    class Meta:
        verbose_name = _("ring group member")
        verbose_name_plural = _("ring group members")
        ordering = ["group", "position", "id"]
        constraints = [
            models.CheckConstraint(
                name="member_timeout_bounded", condition=Q(timeout__gte=1, timeout__lte=3600)
            ),
            models.CheckConstraint(
                name="member_has_its_endpoint",
                condition=Q(kind="user", user__isnull=False) | (Q(kind="phone") & ~Q(number="")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group} #{self.position}: {self.user or self.number}"

    def clean(self) -> None:
        group = getattr(self, "group", None)
        if self.kind == PartyKind.USER and not self.user_id:
            raise ValidationError({"user": "Choose the app user to ring."})
        if self.kind == PartyKind.PHONE and not self.number:
            raise ValidationError({"number": "Enter the phone number to ring."})
        if group is not None and another_projects(self.user, group.project_id):
            raise ValidationError({"user": "This app user belongs to another project."})


class ConferenceRoom(models.Model):
    """A tenant's named conference room, mapped to a Stringee room id (rooms live in Stringee's room
    API)."""

    tenant_lookup = "project"
    invalidates_routing = False  # no routing table reads it

    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        related_name="conference_rooms",
        verbose_name=_("project"),
    )
    name = models.CharField(max_length=200, verbose_name=_("name"))
    stringee_room_id = models.CharField(
        _("Stringee roomId"),
        max_length=128,
        blank=True,
        help_text=_("From Stringee's room API (room2/create)."),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("conference room")
        verbose_name_plural = _("conference rooms")
        ordering = ["project", "name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="unique_room_name_per_project")
        ]

    def __str__(self) -> str:
        return self.name
