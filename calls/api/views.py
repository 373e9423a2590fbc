"""Management API of the calls app: read-only call records (`calls`), raw events (`events`) and
recordings (`recordings`, with their audio streamed through the portal)."""

import json

import django_filters
from django.db.models import Q, QuerySet
from django.http import JsonResponse
from django_filters.widgets import BooleanWidget
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.renderers import BaseRenderer, JSONRenderer

from calls.api.serializers import CallEventSerializer, CallRecordSerializer, RecordingSerializer
from calls.models import CallEvent, CallRecord, Recording
from calls.playback import RecordingUnavailable, problem_status, recording_response
from portal.api.base import ProjectScopedViewSet, count_bounds, refuse_bad_counts
from portal.api.filters import BoundedIsoDateTimeFilter
from portal.phone import number_lookup


class CallRecordFilter(django_filters.FilterSet):
    """`?started_after=` / `?started_before=` (ISO times), `?status=`, `?direction=`, `?number=`
    (any typed form, caller or callee), `?user=` (caller or callee app user), `?call_id=`,
    `?is_test=` (`true`: test calls placed with the call emulator only; `false`: real calls)."""

    started_after = BoundedIsoDateTimeFilter(field_name="started_at", lookup_expr="gte")
    started_before = BoundedIsoDateTimeFilter(field_name="started_at", lookup_expr="lt")
    number = django_filters.CharFilter(
        method="filter_number", label="Caller or callee number, any typed form"
    )
    user = django_filters.CharFilter(method="filter_user", label="Caller or callee app user id")
    is_test = django_filters.BooleanFilter(
        widget=BooleanWidget, label="true: test calls only; false: real calls only"
    )

    class Meta:
        model = CallRecord
        fields = ["status", "direction", "call_id"]

    def filter_number(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        query = number_lookup(value, "from_number", "to_number")
        return queryset.none() if query is None else queryset.filter(query)

    def filter_user(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(from_user=value) | Q(to_user=value))


class CallEventFilter(django_filters.FilterSet):
    """`?call_id=`, `?status=`, `?type=`, `?received_after=&received_before=` (ISO times)."""

    received_after = BoundedIsoDateTimeFilter(field_name="received_at", lookup_expr="gte")
    received_before = BoundedIsoDateTimeFilter(field_name="received_at", lookup_expr="lt")

    class Meta:
        model = CallEvent
        fields = ["call_id", "status", "type"]


class EventCursorPagination(CursorPagination):
    """Newest received first; stable while new events keep arriving."""

    ordering = ("-received_at", "-id")
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None):
        refuse_bad_counts(request, self.page_size_query_param, largest=self.max_page_size)
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        return count_bounds(
            super().get_schema_operation_parameters(view),
            {self.page_size_query_param: self.max_page_size},
        )


@extend_schema_view(
    list=extend_schema(summary="List the project's calls (newest first)"),
    retrieve=extend_schema(summary="One call record, with its recordings and routing decision"),
)
class CallRecordViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ProjectScopedViewSet):
    """Call detail records derived from Stringee's events."""

    queryset = CallRecord.objects.select_related("project", "virtual_number").prefetch_related(
        "recordings", "decisions"
    )
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


class AudioRenderer(BaseRenderer):
    """Lets a player that asks for audio (`Accept: audio/*`) reach the audio action; what it
    renders is only an error (the audio itself is a streamed response), as JSON."""

    media_type = "audio/*"
    format = "audio"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return json.dumps(data).encode()


@extend_schema_view(
    retrieve=extend_schema(summary="One recording: its portal audio address, length, copy"),
)
class RecordingViewSet(mixins.RetrieveModelMixin, ProjectScopedViewSet):
    """The project's recordings; their audio comes through the portal, never from Stringee's
    link (which needs the project's token and is never given out)."""

    queryset = Recording.objects.select_related("project")
    serializer_class = RecordingSerializer

    @extend_schema(
        summary="A recording's audio (Range honoured: 206 with Content-Range)",
        responses={
            (200, "audio/*"): OpenApiTypes.BINARY,
            (206, "audio/*"): OpenApiTypes.BINARY,
            404: OpenApiResponse(description="No such recording among the caller's projects."),
            503: OpenApiResponse(description="Stringee is busy or still preparing it: retry."),
        },
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, AudioRenderer])
    def audio(self, request, pk=None):
        recording = self.get_object()
        try:
            return recording_response(
                recording=recording, range_header=request.headers.get("Range")
            )
        except RecordingUnavailable as problem:
            status, headers = problem_status(problem)
            body = {"error": problem.code, "detail": str(problem)}
            return JsonResponse(body, status=status, headers=headers)
