"""Management API of routing: rules, IVR menus, ring groups, conference rooms, masked calls,
simulate.

Views are thin: scoped by portal.tenancy, they hand validated input to the routing services,
whose refusals the API's exception handler turns into the portal's JSON errors.
"""

from django.db import models
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, permissions, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.api.base import ProjectScopedViewSet, caller_project
from portal.selectors import active_app_user
from portal.tenancy.policy import MEMBER_ROLES, user_may
from routing.api import serializers as shapes
from routing.conference import make_room_token
from routing.models import ConferenceRoom, IvrMenu, MaskingSession, RingGroup, RoutingRule
from routing.services import config as services
from routing.services import masking
from routing.simulate import simulate_call


class RoutingRuleFilter(filters.FilterSet):
    name = filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = RoutingRule
        fields = ["name", "enabled", "direction", "called_kind", "destination_kind"]


class IvrMenuFilter(filters.FilterSet):
    name = filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = IvrMenu
        fields = ["name"]


class MaskingSessionFilter(filters.FilterSet):
    open = filters.BooleanFilter(field_name="closed_at", lookup_expr="isnull", label="Not closed")

    class Meta:
        model = MaskingSession
        fields = ["open", "reference"]


class ConfigViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ProjectScopedViewSet,
):
    """CRUD of one kind of routing configuration, written through its service.

    `nested` names a list field (a menu's keys, a group's members) that `write` replaces whole.
    """

    nested: str | None = None

    def write(self, instance, rows: list[dict] | None) -> models.Model:
        raise NotImplementedError

    def _write(self, serializer, instance: models.Model) -> None:
        data = dict(serializer.validated_data)
        rows = data.pop(self.nested, None) if self.nested else None
        for name, value in data.items():
            setattr(instance, name, value)
        serializer.instance = self.write(instance, rows)

    def perform_create(self, serializer):
        self._write(serializer, self.get_queryset().model(project=caller_project(self.request)))

    def perform_update(self, serializer):
        self._write(serializer, serializer.instance)

    def perform_destroy(self, instance):
        services.config_delete(obj=instance)


class RoutingRuleViewSet(ConfigViewSet):
    """A project's routing rules, tried in priority order (lower first) for every call."""

    queryset = RoutingRule.objects.select_related("project").order_by("project", "priority", "id")
    serializer_class = shapes.RoutingRuleSerializer
    filterset_class = RoutingRuleFilter

    def write(self, instance, rows):
        return services.rule_save(rule=instance)


class IvrMenuViewSet(ConfigViewSet):
    """A project's IVR menus with their keys (0-9, *, #)."""

    queryset = (
        IvrMenu.objects.select_related("project")
        .prefetch_related("options")
        .order_by("project", "name")
    )
    serializer_class = shapes.IvrMenuSerializer
    filterset_class = IvrMenuFilter
    nested = "options"

    def write(self, instance, rows):
        return services.menu_save(menu=instance, options=rows)


class RingGroupViewSet(ConfigViewSet):
    """Ring groups: members rung one at a time (sequential or round-robin), then a final step."""

    queryset = (
        RingGroup.objects.select_related("project")
        .prefetch_related("members")
        .order_by("project", "name")
    )
    serializer_class = shapes.RingGroupSerializer
    nested = "members"

    def write(self, instance, rows):
        return services.group_save(group=instance, members=rows)


class ConferenceRoomViewSet(ConfigViewSet):
    """A tenant's conference rooms (Stringee room ids) and room tokens for its app users."""

    queryset = ConferenceRoom.objects.select_related("project").order_by("project", "name")
    serializer_class = shapes.ConferenceRoomSerializer

    def write(self, instance, rows):
        return services.room_save(room=instance)

    @extend_schema(request=shapes.RoomTokenSerializer, responses=shapes.RoomTokenResponseSerializer)
    @action(detail=True, methods=["post"], serializer_class=shapes.RoomTokenSerializer)
    def token(self, request, pk=None):
        """A room token for one app user (JWT HS256 signed with the project's API key secret)."""
        room = self.get_object()
        body = shapes.RoomTokenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if not room.stringee_room_id:
            raise serializers.ValidationError(
                {"stringee_room_id": "Set the room's Stringee roomId first."}
            )
        if active_app_user(project=room.project, user_id=data["user_id"]) is None:
            raise serializers.ValidationError(
                {"user_id": "No active app user with this id in the project."}
            )
        token = make_room_token(
            room, control=data["control"], record=data["record"], ttl=data["ttl"]
        )
        return Response(
            {"token": token, "room_id": room.stringee_room_id, "expires_in": data["ttl"]}
        )


class MaskingSessionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ProjectScopedViewSet
):
    """Masked calls: two participants reach each other through one proxy number until it ends."""

    queryset = MaskingSession.objects.select_related("project", "proxy").order_by(
        "-created_at", "-id"
    )
    serializer_class = shapes.MaskingSessionSerializer
    filterset_class = MaskingSessionFilter

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = masking.masking_session_create(
            project=caller_project(self.request),
            participant_a=data["participant_a"],
            participant_b=data["participant_b"],
            ttl_seconds=data["ttl_seconds"],
            reference=data.get("reference", ""),
        )

    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """End the session now; calls to its number no longer connect the participants."""
        session = masking.masking_session_close(session=self.get_object())
        return Response(self.get_serializer(session).data)


class AnyMemberPermission(permissions.BasePermission):
    """Any member (viewers too) may simulate: it reads and changes nothing."""

    def has_permission(self, request, view):
        return user_may(request.user, None, MEMBER_ROLES)


class SimulateViewSet(ProjectScopedViewSet):
    """Explain how the answer_url would route a call: per rule why (not), the decision, the SCCO."""

    permission_classes = [AnyMemberPermission]
    serializer_class = shapes.SimulateSerializer

    @extend_schema(
        responses={
            200: OpenApiResponse(
                description="Per rule why it did or did not apply, the decision and its SCCO."
            )
        }
    )
    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        project = caller_project(request, roles=MEMBER_ROLES)
        explanation = simulate_call(
            project, data["from"], data["to"], data["direction"], data.get("at")
        )
        return Response(explanation.as_dict())
