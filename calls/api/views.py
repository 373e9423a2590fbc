"""Management API of the calls app: read-only call records (`calls`) and raw events (`events`)."""

import django_filters
from django.db.models import Q, QuerySet
from django_filters.widgets import BooleanWidget
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.pagination import CursorPagination

from calls.api.serializers import CallEventSerializer, CallRecordSerializer
from calls.models import CallEvent, CallRecord
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
