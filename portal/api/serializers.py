"""Input and output shapes of the tenancy API: numbers, app users, projects, access tokens,
outbound calls."""

from django.conf import settings
from rest_framework import serializers

from portal.api.authentication import MAX_LIFETIME_SECONDS
from portal.models import AppUser, Callout, Project, VirtualNumber, dial_policy
from portal.phone import InvalidPhoneNumber, normalize_number
from portal.stringee.errors import reason_for


class PhoneNumberField(serializers.CharField):
    """Accepts any typed form (`0901234567`, `+84 90 123 4567`, `84901234567`); gives E.164."""

    def to_internal_value(self, data) -> str:
        text = super().to_internal_value(data)
        if not text:
            return text
        try:
            return normalize_number(text)
        except InvalidPhoneNumber as exc:
            raise serializers.ValidationError(str(exc), code="invalid_phone_number") from exc


class NumberSerializer(serializers.ModelSerializer):
    """A number of the caller's project; only the label can be changed."""

    project = serializers.IntegerField(
        source="project.stringee_project_id",
        read_only=True,
        allow_null=True,
        help_text="Stringee projectId.",
    )

    class Meta:
        model = VirtualNumber
        fields = [
            "number",
            "project",
            "status",
            "label",
            "assigned_at",
            "released_at",
            "quarantined_until",
            "stringee_state",
            "stringee_sent_at",
        ]
        read_only_fields = [
            "number",
            "status",
            "assigned_at",
            "released_at",
            "quarantined_until",
            "stringee_state",
            "stringee_sent_at",
        ]


class InventoryNumberSerializer(serializers.ModelSerializer):
    """A number that can be purchased now."""

    class Meta:
        model = VirtualNumber
        fields = ["number"]
        read_only_fields = fields


class PurchaseSerializer(serializers.Serializer):
    number = PhoneNumberField(help_text="Any form: +84901234567, 84901234567, 0901234567.")


class ReleaseSerializer(serializers.Serializer):
    days = serializers.IntegerField(
        min_value=0,
        max_value=365,
        required=False,
        help_text="Quarantine length; default NUMBER_QUARANTINE_DAYS.",
    )

    def validated_days(self) -> int:
        return self.validated_data.get("days", settings.NUMBER_QUARANTINE_DAYS)


class AppUserSerializer(serializers.ModelSerializer):
    """A Stringee client user; `user_id` is unique within its project."""

    project = serializers.IntegerField(source="project.stringee_project_id", read_only=True)
    phone_number = PhoneNumberField(required=False, allow_blank=True)

    class Meta:
        model = AppUser
        fields = [
            "id",
            "user_id",
            "display_name",
            "phone_number",
            "is_active",
            "project",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]


class ProjectSerializer(serializers.ModelSerializer):
    """A project as its callers see it: the webhook URLs to paste into Stringee, never the
    secret."""

    project_id = serializers.IntegerField(source="stringee_project_id", read_only=True)
    masked_secret = serializers.CharField(read_only=True, help_text="The API key secret, masked.")
    answer_url = serializers.URLField(read_only=True)
    event_url = serializers.URLField(read_only=True)
    allowed_destinations = serializers.SerializerMethodField(
        help_text=(
            "Where the project's calls may go: country code → kinds of number (mobile, fixed, "
            "toll_free, premium_rate, shared_cost, other). Set by the portal's administrators."
        )
    )

    class Meta:
        model = Project
        fields = [
            "project_id",
            "name",
            "api_key_sid",
            "masked_secret",
            "answer_url",
            "event_url",
            "time_zone",
            "fallback_message",
            "caller_voice",
            "retention_days",
            "signing_mode",
            "allowed_destinations",
            "external_calls_per_hour",
            "is_active",
            "created_at",
        ]
        read_only_fields = fields

    def get_allowed_destinations(self, project: Project) -> dict[str, list[str]]:
        return dial_policy(project.pk).as_json()


class AccessTokenRequestSerializer(serializers.Serializer):
    userId = serializers.CharField(max_length=128, help_text="The app user's Stringee userId.")
    ttl = serializers.IntegerField(
        min_value=1,
        max_value=MAX_LIFETIME_SECONDS,
        default=3600,
        help_text="Lifetime in seconds (default 3600, at most 86400).",
    )
    icc_api = serializers.BooleanField(
        default=False,
        help_text=(
            "Issue a contact-center (PCC) agent token: the token also carries `icc_api: true`."
        ),
    )


class AccessTokenSerializer(serializers.Serializer):
    access_token = serializers.CharField(help_text="JWT for the Stringee client SDK.")
    userId = serializers.CharField()
    icc_api = serializers.BooleanField(
        help_text="Whether this is a contact-center (PCC) agent token."
    )
    expires_at = serializers.IntegerField(help_text="Unix time the token expires (its `exp`).")


class CalloutInputSerializer(serializers.Serializer):
    """An outbound call to place: `from` one of the project's numbers, `to` a phone number or an
    app user's userId."""

    to = serializers.CharField(
        max_length=128, help_text="A phone number (any form) or an app user's userId."
    )
    connect_to = serializers.CharField(
        max_length=128,
        required=False,
        default="",
        allow_blank=True,
        help_text=(
            "Once answered, connect the call to this phone number or app user (from the `from` "
            "number). Empty: the project's answer_url routes the answered call by its rules."
        ),
    )
    custom = serializers.CharField(
        max_length=1000,
        required=False,
        default="",
        allow_blank=True,
        help_text="Custom data passed through to Stringee (`custom`, and `customData`).",
    )

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.CharField(  # a Python keyword: declared here
            max_length=32, help_text="One of the project's numbers (any form)."
        )
        return fields


class CalloutSerializer(serializers.ModelSerializer):
    """An outbound call and how far it went (`state`: pending, placed, failed)."""

    url = serializers.HyperlinkedIdentityField(view_name="portal-api:callout-detail")
    project = serializers.IntegerField(source="project.stringee_project_id", read_only=True)
    to = serializers.CharField(source="to_address", read_only=True)
    connect_to = serializers.CharField(source="connect_address", read_only=True)
    reason = serializers.SerializerMethodField(
        help_text="Why it failed, in words (empty unless `state` is failed)."
    )

    class Meta:
        model = Callout
        fields = [
            "id",
            "url",
            "project",
            "state",
            "from_number",
            "to_kind",
            "to",
            "connect_kind",
            "connect_to",
            "custom",
            "call_id",
            "error",
            "reason",
            "requested_by",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_reason(self, callout: Callout) -> str:
        return reason_for(callout.error) if callout.error else ""
