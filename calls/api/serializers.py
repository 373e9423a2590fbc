"""Output shapes of the calls API: call records with their recordings, raw events."""

from rest_framework import serializers

from calls.models import RECORD_OUTCOME, RECORD_PARTIES, CallEvent, CallRecord, Recording


class RecordingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Recording
        fields = ["url", "duration_seconds", "format", "received_at"]


class CallRecordSerializer(serializers.ModelSerializer):
    project = serializers.IntegerField(source="project.stringee_project_id", read_only=True)
    virtual_number = serializers.CharField(
        source="virtual_number.number", read_only=True, default=None
    )
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
