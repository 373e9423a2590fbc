"""Output shapes of the calls API: call records with their recordings, raw events."""

from rest_framework import serializers

from calls.models import RECORD_OUTCOME, RECORD_PARTIES, CallEvent, CallRecord, Recording


class OptionalUrlField(serializers.URLField):
    """A URL that may not be there yet: `null` in the answer (the model keeps "")."""

    def __init__(self, **kwargs) -> None:
        super().__init__(allow_null=True, read_only=True, **kwargs)

    def to_representation(self, value: str):  # None for "" (no URL yet)
        return value or None


class RecordingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Recording
        fields = ["url", "duration_seconds", "format", "received_at"]


class CallRecordSerializer(serializers.ModelSerializer):
    project = serializers.IntegerField(source="project.stringee_project_id", read_only=True)
    virtual_number = serializers.CharField(
        source="virtual_number.number", read_only=True, default=None, allow_null=True
    )
    recording_url = OptionalUrlField(help_text="The call's recording, null until one arrives.")
    recordings = RecordingSerializer(many=True, read_only=True)

    class Meta:
        model = CallRecord
        fields = [
            "id",
            "project",
            "call_id",
            *RECORD_PARTIES,
            "virtual_number",
            *RECORD_OUTCOME,
            "routing",
            "recording_url",
            "recordings",
            "is_test",
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
