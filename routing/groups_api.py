"""Management API of group calls: `ring-groups` (with their members) and `conference-rooms` (+ token).

Writes run the models' own `clean()`; another project's app user or group is a 400.
"""

from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.models import AppUser
from routing.api import ReplacesNestedRows, ScopedSerializer, _clean, _ProjectCrudViewSet
from routing.conference import make_room_token
from routing.models import ConferenceRoom, RingGroup, RingGroupMember


class RingGroupMemberSerializer(ScopedSerializer):
    class Meta:
        model = RingGroupMember
        exclude = ["id", "group"]


class RingGroupSerializer(ReplacesNestedRows, ScopedSerializer):
    project = serializers.IntegerField(source="project.stringee_project_id", read_only=True)
    members = RingGroupMemberSerializer(
        many=True, required=False, help_text="In ring order; a write replaces them all."
    )

    class Meta:
        model = RingGroup
        fields = "__all__"

    def validate(self, attrs):
        group = self._candidate(attrs)
        _clean(group)
        self.clean_rows(group, attrs)
        return attrs

    nested_field, row_model, parent_field = "members", RingGroupMember, "group"

    def replace_rows(self, group: RingGroup, members: list[dict]) -> None:
        group.members.all().delete()
        for position, values in enumerate(members):
            RingGroupMember.objects.create(group=group, **{"position": position, **values})


class RingGroupViewSet(_ProjectCrudViewSet):
    """Ring groups: members rung one at a time (sequential or round-robin), then a final step."""

    queryset = (
        RingGroup.objects.select_related("project").prefetch_related("members").order_by("project", "name")
    )
    serializer_class = RingGroupSerializer


class ConferenceRoomSerializer(ScopedSerializer):
    project = serializers.IntegerField(source="project.stringee_project_id", read_only=True)

    class Meta:
        model = ConferenceRoom
        fields = ["id", "project", "name", "stringee_room_id", "created_at"]
        read_only_fields = ["created_at"]


class RoomTokenSerializer(serializers.Serializer):
    user_id = serializers.CharField(max_length=128, help_text="An active app user of the project.")
    control = serializers.BooleanField(default=False, help_text="May control the room (kick, mute).")
    ttl = serializers.IntegerField(default=3600, min_value=60, max_value=24 * 3600)


class ConferenceRoomViewSet(_ProjectCrudViewSet):
    """A tenant's conference rooms (Stringee room ids) and room tokens for its app users."""

    queryset = ConferenceRoom.objects.select_related("project").order_by("project", "name")
    serializer_class = ConferenceRoomSerializer

    @action(detail=True, methods=["post"], serializer_class=RoomTokenSerializer)
    def token(self, request, pk=None):
        """A room token for one app user (JWT HS256 signed with the project's API key secret)."""
        room = self.get_object()
        body = RoomTokenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if not room.stringee_room_id:
            raise serializers.ValidationError({"stringee_room_id": "Set the room's Stringee roomId first."})
        if not AppUser.objects.filter(project=room.project, user_id=data["user_id"], is_active=True).exists():
            raise serializers.ValidationError({"user_id": "No active app user with this id in the project."})
        token = make_room_token(room, data["user_id"], control=data["control"], ttl=data["ttl"])
        return Response({"token": token, "room_id": room.stringee_room_id, "expires_in": data["ttl"]})
