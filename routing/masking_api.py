"""Management API of masked calls: `masking-sessions` (create, list, retrieve, close).

A session is created in the caller's project on a free number of its masking pool (409
`masking_pool_exhausted` when none is free) and closed with `POST …/<id>/close/`.
"""

from datetime import timedelta

from django.utils import timezone
from django_filters import rest_framework as filters
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.api.base import ProjectScopedViewSet, caller_project
from routing import masking
from routing.models import MaskingSession

MAX_TTL_SECONDS = 30 * 24 * 3600


class PoolExhaustedError(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "masking_pool_exhausted"
    default_detail = "No number of the masking pool is free for both participants."


class MaskingSessionSerializer(serializers.ModelSerializer):
    project = serializers.IntegerField(source="project.stringee_project_id", read_only=True)
    proxy = serializers.CharField(source="proxy.number", read_only=True)
    participant_a = serializers.CharField(write_only=True, help_text="Phone number or app user id.")
    participant_b = serializers.CharField(write_only=True, help_text="Phone number or app user id.")
    ttl_seconds = serializers.IntegerField(
        write_only=True, required=False, min_value=60, max_value=MAX_TTL_SECONDS, help_text="Default 3600."
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
        read_only_fields = [
            "a_kind",
            "a_address",
            "b_kind",
            "b_address",
            "created_at",
            "expires_at",
            "closed_at",
        ]

    def create(self, validated_data):
        project = caller_project(self.context["request"])
        try:
            a = masking.participant(project, validated_data["participant_a"])
            b = masking.participant(project, validated_data["participant_b"])
            expires_at = timezone.now() + timedelta(seconds=validated_data.get("ttl_seconds", 3600))
            return masking.create_session(project, a, b, expires_at, validated_data.get("reference", ""))
        except masking.BadParticipant as exc:
            raise serializers.ValidationError({"participant": str(exc)}) from exc
        except masking.PoolExhausted as exc:
            raise PoolExhaustedError(str(exc)) from exc


class MaskingSessionFilter(filters.FilterSet):
    open = filters.BooleanFilter(field_name="closed_at", lookup_expr="isnull", label="Not closed")

    class Meta:
        model = MaskingSession
        fields = ["open", "reference"]


class MaskingSessionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ProjectScopedViewSet
):
    """Masked calls: two participants reach each other through one proxy number until it ends."""

    queryset = MaskingSession.objects.select_related("project", "proxy").order_by("-created_at", "-id")
    serializer_class = MaskingSessionSerializer
    filterset_class = MaskingSessionFilter

    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """End the session now; calls to its number no longer connect the participants."""
        session = masking.close_session(self.get_object())
        return Response(self.get_serializer(session).data)
