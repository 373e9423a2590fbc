"""Output shapes of the calls API: call records with their recordings, raw events.

A recording's `url` is the portal's own address of its audio, never Stringee's link."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from calls.models import RECORD_OUTCOME, RECORD_PARTIES, CallEvent, CallRecord, Recording
from calls.playback import recording_problem


def audio_link(serializer: serializers.Serializer, recording: Recording) -> str | None:
    """The portal's address of a recording's audio (calls.api.views.RecordingViewSet.audio),
    or None when it cannot be played here. Stringee's own link is never given out."""
    if recording_problem(recording):
        return None
    path = reverse("calls-api:recording-audio", args=[recording.pk])
    request = serializer.context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


class RecordingSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(
        help_text=(
            "Where to fetch the audio: the portal's own address (send the same credentials; "
            "Range is honoured). Null when the recording cannot be played (see `problem`)."
        )
    )
    problem = serializers.SerializerMethodField(
        help_text="Why the recording cannot be played through the portal, or null."
    )
    copy = serializers.CharField(
        source="copy_status",
        read_only=True,
        help_text="The portal's own copy: waiting, kept, failed, or empty (none kept).",
    )

    class Meta:
        model = Recording
        fields = ["id", "url", "problem", "duration_seconds", "format", "received_at", "copy"]

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_url(self, recording: Recording) -> str | None:
        return audio_link(self, recording)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_problem(self, recording: Recording) -> str | None:
        return recording_problem(recording)


class CallRecordSerializer(serializers.ModelSerializer):
    project = serializers.IntegerField(source="project.stringee_project_id", read_only=True)
    virtual_number = serializers.CharField(
        source="virtual_number.number", read_only=True, default=None, allow_null=True
    )
    recording_url = serializers.SerializerMethodField(
        help_text=(
            "The portal's address of the call's latest recording (as in `recordings`), null "
            "until one arrives or when it cannot be played."
        )
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
            "is_test",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_recording_url(self, record: CallRecord) -> str | None:
        latest = [r for r in record.recordings.all() if r.url == record.recording_url]
        return audio_link(self, latest[0]) if latest and record.recording_url else None


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
