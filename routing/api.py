"""Management API of routing: `rules` and `ivr-menus` (with their keys), scoped to the caller's project.

Writes run the models' own `clean()`, so a rule whose SCCO would be invalid, or whose caller ID
is another project's number, is a 400 naming the field.
"""

import copy

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django_filters import rest_framework as filters
from rest_framework import exceptions, mixins, serializers

from portal.api.base import ProjectScopedViewSet, caller_project
from portal.tenancy import scope_to_user
from routing.models import IvrMenu, IvrOption, RoutingRule


def _clean(instance) -> None:
    try:
        instance.clean()
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.message_dict) from exc


class ScopedSerializer(serializers.ModelSerializer):
    """Related-object choices limited to the caller's projects; `clean()` runs on a copy of the row."""

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        for field in fields.values():
            queryset = getattr(field, "queryset", None)
            if request is not None and queryset is not None and hasattr(queryset.model, "tenant_lookup"):
                field.queryset = scope_to_user(queryset, request.user)
        return fields

    def _candidate(self, attrs: dict):
        instance = copy.copy(self.instance) if self.instance else self.Meta.model()
        if self.instance is None and "request" in self.context:
            instance.project = caller_project(self.context["request"])
        for name, value in attrs.items():
            if name != "options":
                setattr(instance, name, value)
        return instance


class RoutingRuleSerializer(ScopedSerializer):
    project = serializers.IntegerField(source="project.stringee_project_id", read_only=True)

    class Meta:
        model = RoutingRule
        exclude = ["created_at", "updated_at"]

    def validate(self, attrs):
        _clean(self._candidate(attrs))
        return attrs


class ReplacesNestedRows:
    """A parent serializer whose nested list (a menu's keys, a group's members) is written whole.

    Subclasses name the list in `nested_field`, its model and the row's link to the parent in
    `row_model` / `parent_field`, and write the rows in `replace_rows`.
    """

    nested_field: str
    row_model: type
    parent_field: str

    def clean_rows(self, parent, attrs: dict) -> None:
        """Run each row's model `clean()` against `parent`; problems are keyed by row index."""
        problems = {}
        for index, values in enumerate(attrs.get(self.nested_field, [])):
            try:
                self.row_model(**{self.parent_field: parent}, **values).clean()
            except DjangoValidationError as exc:
                problems[index] = exc.message_dict
        if problems:
            raise serializers.ValidationError({self.nested_field: problems})

    def replace_rows(self, parent, rows: list[dict]) -> None:
        raise NotImplementedError

    @transaction.atomic
    def create(self, validated_data):
        rows = validated_data.pop(self.nested_field, [])
        parent = super().create(validated_data)
        self.replace_rows(parent, rows)
        return parent

    @transaction.atomic
    def update(self, instance, validated_data):
        rows = validated_data.pop(self.nested_field, None)
        parent = super().update(instance, validated_data)
        if rows is not None:  # a PATCH without the list keeps the rows
            self.replace_rows(parent, rows)
        return parent


class IvrOptionSerializer(ScopedSerializer):
    class Meta:
        model = IvrOption
        exclude = ["id", "menu"]


class IvrMenuSerializer(ReplacesNestedRows, ScopedSerializer):
    project = serializers.IntegerField(source="project.stringee_project_id", read_only=True)
    options = IvrOptionSerializer(
        many=True, required=False, help_text="The menu's keys; a write replaces them all."
    )

    class Meta:
        model = IvrMenu
        fields = "__all__"

    def validate(self, attrs):
        menu = self._candidate(attrs)
        _clean(menu)
        keys = [option["digit"] for option in attrs.get("options", [])]
        if len(keys) != len(set(keys)):
            raise serializers.ValidationError({"options": "Each key may be used once per menu."})
        self.clean_rows(menu, attrs)
        return attrs

    nested_field, row_model, parent_field = "options", IvrOption, "menu"

    def replace_rows(self, menu: IvrMenu, options: list[dict]) -> None:
        menu.options.all().delete()
        for values in options:
            IvrOption.objects.create(menu=menu, **values)


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


class _ProjectCrudViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ProjectScopedViewSet,
):
    """Create in the caller's project; refuse to delete what a rule or menu still uses."""

    def perform_create(self, serializer):
        serializer.save(project=caller_project(self.request))

    def perform_destroy(self, instance):
        try:
            instance.delete()
        except (ProtectedError, RestrictedError) as exc:
            blocking = getattr(exc, "protected_objects", None) or exc.restricted_objects
            used_by = ", ".join(sorted({str(obj) for obj in blocking}))
            raise exceptions.ValidationError(f"{instance} is still used by: {used_by}.") from exc


class RoutingRuleViewSet(_ProjectCrudViewSet):
    """A project's routing rules, tried in priority order (lower first) for every call."""

    queryset = RoutingRule.objects.select_related("project").order_by("project", "priority", "id")
    serializer_class = RoutingRuleSerializer
    filterset_class = RoutingRuleFilter


class IvrMenuViewSet(_ProjectCrudViewSet):
    """A project's IVR menus with their keys (0-9, *, #)."""

    queryset = (
        IvrMenu.objects.select_related("project").prefetch_related("options").order_by("project", "name")
    )
    serializer_class = IvrMenuSerializer
    filterset_class = IvrMenuFilter


def register(router) -> None:
    """Add this app's viewsets to the API router."""
    router.register("rules", RoutingRuleViewSet, basename="routing-rule")
    router.register("ivr-menus", IvrMenuViewSet, basename="ivr-menu")
    from routing.groups_api import ConferenceRoomViewSet, RingGroupViewSet
    from routing.masking_api import MaskingSessionViewSet
    from routing.simulate_views import SimulateViewSet

    router.register("ring-groups", RingGroupViewSet, basename="ring-group")
    router.register("conference-rooms", ConferenceRoomViewSet, basename="conference-room")
    router.register("masking-sessions", MaskingSessionViewSet, basename="masking-session")
    router.register("simulate", SimulateViewSet, basename="simulate")
