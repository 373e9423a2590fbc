"""Management API views of the tenancy domain (numbers, app users, tokens, projects/me)."""

import time

from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from portal import services
from portal.api.authentication import make_client_token
from portal.api.base import ProjectScopedViewSet, caller_project
from portal.api.filters import AppUserFilter, InventoryFilter, NumberFilter
from portal.api.schema import error
from portal.api.serializers import (
    AccessTokenRequestSerializer,
    AccessTokenSerializer,
    AppUserSerializer,
    InventoryNumberSerializer,
    NumberSerializer,
    ProjectSerializer,
    PurchaseSerializer,
    ReleaseSerializer,
)
from portal.models import AppUser, Membership, Project, VirtualNumber
from portal.selectors import active_app_user

PROJECT_PARAM = OpenApiParameter(
    "project",
    int,
    description="Stringee projectId; needed only by staff who belong to several projects.",
)


@extend_schema_view(
    list=extend_schema(summary="List the project's numbers"),
    retrieve=extend_schema(summary="One of the project's numbers (any typed form in the URL)"),
    partial_update=extend_schema(summary="Change a number's label"),
)
class NumberViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, ProjectScopedViewSet
):
    """The caller's numbers; the inventory of numbers for sale; purchase and release."""

    queryset = VirtualNumber.objects.select_related("project")
    serializer_class = NumberSerializer
    filterset_class = NumberFilter
    # Any typed form of the number works in the URL; E164Field normalises the lookup.
    lookup_field = "number"
    lookup_value_regex = r"[^/]+"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def perform_update(self, serializer):
        label = serializer.validated_data.get("label", serializer.instance.label)
        serializer.instance = services.number_relabel(number=serializer.instance, label=label)

    def get_queryset(self):
        if self.action == "inventory":
            # The stock belongs to no tenant: every caller sees the same claimable numbers.
            return VirtualNumber.objects.filter(services.claimable()).only("number")
        return super().get_queryset()

    @extend_schema(
        summary="Search numbers for sale (pattern syntax in docs/api.md)",
        responses=InventoryNumberSerializer(many=True),
        filters=True,
    )
    @action(
        detail=False,
        filterset_class=InventoryFilter,
        serializer_class=InventoryNumberSerializer,
    )
    def inventory(self, request):
        return self.list(request)

    @extend_schema(
        summary="Purchase a number from the inventory",
        request=PurchaseSerializer,
        parameters=[PROJECT_PARAM],
        responses={
            201: NumberSerializer,
            200: OpenApiResponse(
                NumberSerializer, description="The project already had this number."
            ),
            400: error("The number is not a valid phone number."),
            409: error("The number is taken, quarantined or not in the inventory."),
        },
    )
    @action(detail=False, methods=["post"], filterset_class=None)
    def purchase(self, request):
        body = PurchaseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        number, assigned = services.number_assign(
            number=body.validated_data["number"], project=caller_project(request)
        )
        code = status.HTTP_201_CREATED if assigned else status.HTTP_200_OK
        return Response(NumberSerializer(number).data, status=code)

    @extend_schema(
        summary="Release a number into quarantine",
        request=ReleaseSerializer,
        responses={200: NumberSerializer, 404: error("Not one of the project's numbers.")},
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def release(self, request, number=None):
        body = ReleaseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        released = services.number_release(number=self.get_object(), days=body.validated_days())
        return Response(NumberSerializer(released).data)


@extend_schema_view(
    list=extend_schema(summary="List the project's app users"),
    create=extend_schema(summary="Create an app user", parameters=[PROJECT_PARAM]),
    retrieve=extend_schema(summary="One app user"),
    update=extend_schema(summary="Replace an app user"),
    partial_update=extend_schema(summary="Change an app user"),
    destroy=extend_schema(summary="Delete an app user"),
)
class AppUserViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ProjectScopedViewSet,
):
    """The project's Stringee client users."""

    queryset = AppUser.objects.select_related("project")
    serializer_class = AppUserSerializer
    filterset_class = AppUserFilter

    def perform_create(self, serializer):
        user = AppUser(project=caller_project(self.request), **serializer.validated_data)
        serializer.instance = services.app_user_save(user=user)

    def perform_update(self, serializer):
        user = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(user, name, value)
        serializer.instance = services.app_user_save(user=user)


class AccessTokenViewSet(ProjectScopedViewSet):
    """Client access tokens for the Stringee SDK, for the project's active app users."""

    queryset = AppUser.objects.filter(is_active=True)
    serializer_class = AccessTokenRequestSerializer

    @extend_schema(
        summary="Issue a client access token for an app user",
        parameters=[PROJECT_PARAM],
        request=AccessTokenRequestSerializer,
        responses={
            201: AccessTokenSerializer,
            400: error("ttl is out of range or userId is missing."),
            404: error("No active app user with this userId in the project."),
        },
    )
    def create(self, request):
        body = AccessTokenRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        project = caller_project(request)
        user_id, ttl, icc_api = (body.validated_data[key] for key in ("userId", "ttl", "icc_api"))
        if active_app_user(project=project, user_id=user_id) is None:
            raise exceptions.NotFound(
                _("No active app user “%(user_id)s” in this project.") % {"user_id": user_id}
            )
        now = int(time.time())
        token = make_client_token(project, user_id, ttl=ttl, now=now, icc_api=icc_api)
        data = {
            "access_token": token,
            "userId": user_id,
            "icc_api": icc_api,
            "expires_at": now + ttl,
        }
        return Response(AccessTokenSerializer(data).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="List the caller's projects"),
    retrieve=extend_schema(summary="One of the caller's projects, by Stringee projectId"),
)
class ProjectViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ProjectScopedViewSet):
    """The caller's projects, with the answer_url and event_url to paste into Stringee."""

    queryset = Project.objects.all()
    serializer_class = ProjectSerializer
    lookup_field = "stringee_project_id"
    lookup_url_kwarg = "project_id"
    lookup_value_regex = r"[0-9]+"

    @extend_schema(summary="The caller's project", parameters=[PROJECT_PARAM])
    @action(detail=False)
    def me(self, request):
        return Response(self.get_serializer(caller_project(request, Membership.Role.values)).data)
