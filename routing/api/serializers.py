"""Input and output shapes of the routing API: rules, IVR menus with keys, ring groups, rooms,
masking.

Serializers only check types and shapes; the routing services decide what may be saved.
"""

import re

from django.db import models
from django.db.models import Model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from routing.models import (
    ConferenceRoom,
    IvrMenu,
    IvrOption,
    MaskingSession,
    RingGroup,
    RingGroupMember,
    RoutingRule,
)
from routing.models.rules import DAYS_TEXT_MAX
from routing.services.masking import DEFAULT_TTL_SECONDS
from routing.simulate import parse_time
from routing.weekdays import EXAMPLES, DaysError, normalise_days

MAX_TTL_SECONDS = 30 * 24 * 3600
STRINGEE_PROJECT_ID = serializers.IntegerField(
    source="project.stringee_project_id", read_only=True, help_text="Stringee projectId."
)


class DaysField(serializers.CharField):
    """A rule's days in any form `routing.weekdays.parse_days` reads (text, or a list of weekday
    numbers or names); stored and returned as ISO weekday digits ("12345")."""

    def to_internal_value(self, data):
        if isinstance(data, list):
            data = ",".join(str(item) for item in data)
        text = super().to_internal_value(data)
        try:
            return normalise_days(text)
        except DaysError as exc:
            raise serializers.ValidationError(str(exc)) from None


WALL_CLOCK = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$")


@extend_schema_field(
    {"type": "string", "pattern": WALL_CLOCK.pattern, "example": "18:30:00"},
)
class WallClockTimeField(serializers.TimeField):
    """A time of day on the project's clock, `HH:MM` or `HH:MM:SS`, answered as `HH:MM:SS`.

    OpenAPI's `format: time` is RFC 3339's, which carries a UTC offset; a rule's window has none
    (it follows the project's time zone, summer time included), so the schema states the text.
    """

    default_error_messages = {"invalid": _("Enter a time of day as HH:MM or HH:MM:SS.")}

    def to_internal_value(self, value):
        if not isinstance(value, str) or not WALL_CLOCK.match(value):
            self.fail("invalid")
        return super().to_internal_value(value)


class RoutingRuleSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.TimeField: WallClockTimeField,
    }
    project = STRINGEE_PROJECT_ID
    schedule_days = DaysField(
        required=False,
        allow_blank=True,
        max_length=DAYS_TEXT_MAX,
        help_text=(
            f"Days the rule applies on, e.g. {EXAMPLES} (or a list such as [1, 3, 5]); "
            'returned as ISO weekday digits (1 = Monday), e.g. "12345". Blank: every day.'
        ),
    )

    class Meta:
        model = RoutingRule
        exclude = ["created_at", "updated_at"]


def with_rows(
    model: type[Model], rows: str, row_model: type[Model], parent: str, help_text: str
) -> type[serializers.ModelSerializer]:
    """A serializer of `model` whose rows (a menu's keys, a group's members) are nested under
    `rows`, shown without their own ids and written whole by the service."""
    row_meta = type("Meta", (), {"model": row_model, "exclude": ["id", parent]})
    row = type(
        f"{row_model.__name__}Serializer", (serializers.ModelSerializer,), {"Meta": row_meta}
    )
    attrs = {
        "project": STRINGEE_PROJECT_ID,
        rows: row(many=True, required=False, help_text=help_text),
        "Meta": type("Meta", (), {"model": model, "fields": "__all__"}),
    }
    return type(f"{model.__name__}Serializer", (serializers.ModelSerializer,), attrs)


IvrMenuSerializer = with_rows(
    IvrMenu, "options", IvrOption, "menu", "The menu's keys; a write replaces them all."
)
RingGroupSerializer = with_rows(
    RingGroup, "members", RingGroupMember, "group", "In ring order; a write replaces them all."
)


class ConferenceRoomSerializer(serializers.ModelSerializer):
    project = STRINGEE_PROJECT_ID

    class Meta:
        model = ConferenceRoom
        fields = ["id", "project", "name", "stringee_room_id", "created_at"]
        read_only_fields = ["created_at"]


class RoomTokenSerializer(serializers.Serializer):
    user_id = serializers.CharField(max_length=128, help_text="An active app user of the project.")
    control = serializers.BooleanField(
        default=False, help_text="May control the room (kick, mute)."
    )
    record = serializers.BooleanField(default=False, help_text="Stringee records the room.")
    ttl = serializers.IntegerField(default=3600, min_value=60, max_value=24 * 3600)


class MaskingSessionSerializer(serializers.ModelSerializer):
    project = STRINGEE_PROJECT_ID
    proxy = serializers.CharField(source="proxy.number", read_only=True)
    participant_a = serializers.CharField(write_only=True, help_text="Phone number or app user id.")
    participant_b = serializers.CharField(write_only=True, help_text="Phone number or app user id.")
    ttl_seconds = serializers.IntegerField(
        write_only=True,
        required=False,
        default=DEFAULT_TTL_SECONDS,
        min_value=60,
        max_value=MAX_TTL_SECONDS,
        help_text="Default 3600.",
    )
    is_open = serializers.BooleanField(read_only=True)
    a_kind = serializers.CharField(read_only=True, help_text="phone or user")
    b_kind = serializers.CharField(read_only=True, help_text="phone or user")

    class Meta:
        model = MaskingSession
        fields = [
            "id",
            "project",
            "proxy",
            "participant_a",
            "participant_b",
            "a_kind",
            "a_address",
            "b_kind",
            "b_address",
            "reference",
            "ttl_seconds",
            "created_at",
            "expires_at",
            "closed_at",
            "is_open",
        ]
        read_only_fields = ["a_address", "b_address", "created_at", "expires_at", "closed_at"]


class SimulateSerializer(serializers.Serializer):
    """The call to simulate (`from` is a Python keyword, hence the fields are listed here)."""

    def get_fields(self):
        return {
            "from": serializers.CharField(
                max_length=128, help_text="Caller number or app user id."
            ),
            "to": serializers.CharField(max_length=128, help_text="Called number or app user id."),
            "direction": serializers.ChoiceField(choices=["phone", "app"], default="phone"),
            "at": serializers.CharField(
                required=False,
                help_text="ISO time; without an offset it is the project's local time.",
            ),
        }

    def validate_at(self, value: str):
        return parse_time(value, serializers.ValidationError)


class RoomTokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="JWT for Stringee's room (video conference) API.")
    room_id = serializers.CharField()
    expires_in = serializers.IntegerField(help_text="Seconds.")
