"""Ring groups (members tried one after another) and conference rooms of a project.

Stringee's `connect` takes one `to`, so a group rings one member at a time: each leg has
`continueOnFail` and its failure comes back to the portal, which answers the next member's
connect or, when all have failed, the group's final step (a Destination).
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from portal.models import AppUser, Project, VirtualNumber
from portal.phone import E164Field, stringee_digits
from routing.models import Destination, DestinationKind


class RingGroup(Destination):
    """A named group of app users and phones; the destination fields are the final step."""

    tenant_lookup = "project"
    invalidates_routing = True

    class Strategy(models.TextChoices):
        SEQUENTIAL = "sequential", "Sequential: always from the first member"
        ROUND_ROBIN = "round_robin", "Round-robin: start after the member rung first last time"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="ring_groups")
    name = models.CharField(max_length=200)
    strategy = models.CharField(max_length=12, choices=Strategy.choices, default=Strategy.SEQUENTIAL)
    caller_id = models.ForeignKey(
        VirtualNumber,
        verbose_name="caller ID",
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="+",
        help_text="Shown to phone members; must be a number of this project.",
    )
    destination_kind = models.CharField(
        "when all fail",
        max_length=10,
        choices=DestinationKind.choices,
        default=DestinationKind.VOICEMAIL,
        help_text="What the caller gets when no member answered.",
    )

    class Meta:
        ordering = ["project", "name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="unique_group_name_per_project")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = self.destination_errors(self.project_id)
        if self.pk and self.destination_group_id == self.pk:
            errors["destination_group"] = "A group cannot fall back to itself."
        if self.caller_id_id and not self.caller_id.belongs_to(self.project_id):
            errors["caller_id"] = f"{self.caller_id} is not a number of this project."
        if errors:
            raise ValidationError(errors)

    def as_routing_json(self, active_users: set[str]) -> dict:
        """The group as the routing snapshot stores it; members who cannot be rung are left out."""
        members = []
        for member in self.members.all():
            if member.kind == RingGroupMember.Kind.USER:
                if member.user_id and member.user.user_id in active_users:
                    members.append(
                        {"kind": "user", "address": member.user.user_id, "timeout": member.timeout}
                    )
            elif member.number:
                members.append({"kind": "phone", "address": member.number, "timeout": member.timeout})
        owned = self.caller_id_id and self.caller_id.belongs_to(self.project_id)
        return {
            "id": self.pk,
            "name": self.name,
            "strategy": self.strategy,
            "caller_id": stringee_digits(self.caller_id.number) if owned else None,
            "members": members,
            "final": self.destination_json(),
        }


class RingGroupMember(models.Model):
    """One member of a ring group, tried in `position` order, rung for `timeout` seconds."""

    tenant_lookup = "group__project"
    invalidates_routing = True

    class Kind(models.TextChoices):
        USER = "user", "App user"
        PHONE = "phone", "Phone number"

    group = models.ForeignKey(RingGroup, on_delete=models.CASCADE, related_name="members")
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=5, choices=Kind.choices, default=Kind.USER)
    user = models.ForeignKey(AppUser, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    number = E164Field(blank=True)
    timeout = models.PositiveIntegerField(default=20, help_text="Seconds of ringing before the next member.")

    class Meta:
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
        if self.kind == self.Kind.USER and not self.user_id:
            raise ValidationError({"user": "Choose the app user to ring."})
        if self.kind == self.Kind.PHONE and not self.number:
            raise ValidationError({"number": "Enter the phone number to ring."})
        if self.user_id and group is not None and self.user.project_id != group.project_id:
            raise ValidationError({"user": "This app user belongs to another project."})


class ConferenceRoom(models.Model):
    """A tenant's named conference room, mapped to a Stringee room id (rooms live in Stringee's room API)."""

    tenant_lookup = "project"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="conference_rooms")
    name = models.CharField(max_length=200)
    stringee_room_id = models.CharField(
        "Stringee roomId", max_length=128, blank=True, help_text="From Stringee's room API (room2/create)."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="unique_room_name_per_project")
        ]

    def __str__(self) -> str:
        return self.name
