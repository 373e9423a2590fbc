"""The management API's outbound calls: place one (`POST /api/v1/callouts/`), and read them."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.response import Response

from portal import services
from portal.api.base import ProjectScopedViewSet, caller_project
from portal.api.schema import error
from portal.api.serializers import CalloutInputSerializer, CalloutSerializer
from portal.api.views import PROJECT_PARAM
from portal.models import Callout, CalloutState
from portal.stringee.errors import reason_for


@extend_schema_view(
    list=extend_schema(summary="List the project's outbound calls, latest first"),
    retrieve=extend_schema(summary="One outbound call and how far it went"),
)
class CalloutViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ProjectScopedViewSet):
    """Outbound calls placed through Stringee from the project's numbers."""

    queryset = Callout.objects.select_related("project")
    serializer_class = CalloutSerializer

    @extend_schema(
        summary="Place an outbound call from one of the project's numbers",
        parameters=[PROJECT_PARAM],
        request=CalloutInputSerializer,
        responses={
            201: OpenApiResponse(CalloutSerializer, description="Stringee placed the call."),
            202: OpenApiResponse(
                CalloutSerializer,
                description="Asked; Stringee has not answered yet: read `url` for the outcome.",
            ),
            400: error("`from` is not the project's number, `to` is unknown, or refused."),
            409: error("No Stringee account is connected (`stringee_not_connected`)."),
            429: error("The project's hourly ceiling of calls to phone numbers was reached."),
            502: error("Stringee refused or failed to place the call (`callout_failed`)."),
        },
    )
    def create(self, request):
        body = CalloutInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        staff = isinstance(request.user, get_user_model())
        callout = services.callout_place(
            project=caller_project(request),
            from_number=data["from"],
            to=data["to"],
            connect_to=data["connect_to"],
            custom=data["custom"],
            by=request.user if staff else None,
            by_label=str(request.user),
        )
        callout = services.callout_settled(callout=callout)
        if callout.state == CalloutState.FAILED:
            raise services.CalloutFailed(reason_for(callout.error))
        placed = callout.state == CalloutState.PLACED
        answer = CalloutSerializer(callout, context=self.get_serializer_context()).data
        return Response(answer, status=status.HTTP_201_CREATED if placed else 202)
