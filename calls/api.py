"""Management API of the calls app: read-only call records (`calls`) and raw events (`events`)."""

import django_filters
from django.db.models import Q, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.pagination import CursorPagination

from calls.models import CallEvent, CallRecord, Recording
from portal.api.base import ProjectScopedViewSet
from portal.phone import normalize_or_none


class RecordingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Recording
        fields = ["url", "duration_seconds", "format", "received_at"]


class CallRecordSerializer(serializers.ModelSerializer):
    project = serializers.IntegerField(source="project.stringee_project_id", read_only=True)
    virtual_number = serializers.CharField(source="virtual_number.number", read_only=True, default=None)
    recordings = RecordingSerializer(many=True, read_only=True)

    class Meta:
        model = CallRecord
        fields = [
            "id",
            "project",
            "call_id",
            "direction",
            "status",
            "from_number",
            "from_user",
            "to_number",
            "to_user",
            "virtual_number",
            "started_at",
            "answered_at",
            "ended_at",
            "ring_seconds",
            "talk_seconds",
            "end_cause",
            "ended_by",
            "routing",
            "recording_url",
            "recordings",
        ]
        read_only_fields = fields


class CallEventSerializer(serializers.ModelSerializer):
    project = serializers.IntegerField(source="project.stringee_project_id", read_only=True)

    class Meta:
        model = CallEvent
        fields = [
            "id",
            "project",
            "call_id",
            "type",
            "status",
            "timestamp_ms",
            "occurred_at",
            "received_at",
            "payload",
        ]
        read_only_fields = fields


class CallRecordFilter(django_filters.FilterSet):
    """`?started_after=` / `?started_before=` (ISO times), `?status=`, `?direction=`, `?number=`
    (any typed form, caller or callee), `?user=` (caller or callee app user), `?call_id=`."""

    started_after = django_filters.IsoDateTimeFilter(field_name="started_at", lookup_expr="gte")
    started_before = django_filters.IsoDateTimeFilter(field_name="started_at", lookup_expr="lt")
    number = django_filters.CharFilter(
        method="filter_number", label="Caller or callee number, any typed form"
    )
    user = django_filters.CharFilter(method="filter_user", label="Caller or callee app user id")

    class Meta:
        model = CallRecord
        fields = ["status", "direction", "call_id"]

    def filter_number(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        number = normalize_or_none(value)
        if number is None:
            return queryset.none()
        return queryset.filter(Q(from_number=number) | Q(to_number=number))

    def filter_user(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(from_user=value) | Q(to_user=value))


class CallEventFilter(django_filters.FilterSet):
    """`?call_id=`, `?status=`, `?type=`, `?received_after=&received_before=` (ISO times)."""

    received_after = django_filters.IsoDateTimeFilter(field_name="received_at", lookup_expr="gte")
    received_before = django_filters.IsoDateTimeFilter(field_name="received_at", lookup_expr="lt")

    class Meta:
        model = CallEvent
        fields = ["call_id", "status", "type"]


class EventCursorPagination(CursorPagination):
    """Newest received first; stable while new events keep arriving."""

    ordering = ("-received_at", "-id")
    page_size_query_param = "page_size"
    max_page_size = 200


@extend_schema_view(
    list=extend_schema(summary="List the project's calls (newest first)"),
    retrieve=extend_schema(summary="One call record, with its recordings and routing decision"),
)
class CallRecordViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ProjectScopedViewSet):
    """Call detail records derived from Stringee's events."""

    queryset = CallRecord.objects.select_related("project", "virtual_number").prefetch_related("recordings")
    serializer_class = CallRecordSerializer
    filterset_class = CallRecordFilter


@extend_schema_view(
    list=extend_schema(summary="List the project's raw events (cursor pagination)"),
    retrieve=extend_schema(summary="One raw event as Stringee sent it"),
)
class CallEventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ProjectScopedViewSet):
    """Every event Stringee posted to the event_url, stored once."""

    queryset = CallEvent.objects.select_related("project")
    serializer_class = CallEventSerializer
    filterset_class = CallEventFilter
    pagination_class = EventCursorPagination


def register(router) -> None:
    """Add this app's viewsets to the API router."""
    router.register("calls", CallRecordViewSet, basename="call")
    router.register("events", CallEventViewSet, basename="event")
