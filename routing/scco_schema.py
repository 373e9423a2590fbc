"""The SCCO as an OpenAPI schema: one serializer per action, for the webhook endpoints'
documentation.

These serializers describe what `routing.scco` builds and `routing.scco.validate_scco` accepts
(contract §2); they are never used to validate or render at run time (the validator does that,
and names each problem by its path). Keep them in step with `routing.scco.SCHEMA`
(routing/tests/webhooks/test_webhook_schema.py checks the field names match).
"""

from __future__ import annotations

from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers

from routing.scco import ENDPOINT_TYPES, MESSAGE_FORMATS, RECORD_FORMATS


def _opt(field: serializers.Field) -> serializers.Field:
    field.required = False
    return field


class SccoEndpointSerializer(serializers.Serializer):
    """`from` / `to` of a connect."""

    type = serializers.ChoiceField(
        ENDPOINT_TYPES, help_text="internal = app user, external = phone."
    )
    number = serializers.CharField(
        help_text="App user id, or digits with country code (84901234567)."
    )
    alias = serializers.CharField(help_text="What the other side sees; defaults to the number.")
    sipTrunkId = _opt(
        serializers.CharField(
            help_text="external only: leave through this SIP trunk (0 or empty: no trunk)."
        )
    )


class _Action(serializers.Serializer):
    action = serializers.CharField(help_text="The action's name.")


class ConnectActionSerializer(_Action):
    """Connect the call to an app user or a phone (synchronous)."""

    from_ = SccoEndpointSerializer()
    to = SccoEndpointSerializer()
    customData = _opt(serializers.CharField(help_text="Handed to the client app."))
    timeout = _opt(
        serializers.IntegerField(min_value=1, max_value=3600, help_text="Ringing, seconds.")
    )
    maxConnectTime = _opt(
        serializers.IntegerField(min_value=-1, help_text="Seconds; -1 = unlimited.")
    )
    peerToPeerCall = _opt(
        serializers.BooleanField(help_text="Not true when the call is recorded (default false).")
    )
    continueOnFail = _opt(
        serializers.BooleanField(help_text="Ask onFailEventUrl when the callee fails.")
    )
    onFailEventUrl = _opt(
        serializers.URLField(help_text="The portal's on-fail / ring-group callback.")
    )
    eventUrl = _opt(
        serializers.ListField(child=serializers.URLField(), help_text="Event URLs of this leg.")
    )

    def get_fields(self):
        return {
            ("from" if name == "from_" else name): field
            for name, field in super().get_fields().items()
        }


class _PlaybackAction(_Action):
    bargeIn = _opt(serializers.BooleanField(help_text="A key press interrupts it (default true)."))
    loop = _opt(serializers.IntegerField(min_value=0, help_text="Times played (default 1)."))
    silenceTime = _opt(
        serializers.IntegerField(min_value=0, help_text="Silence between loops, ms.")
    )
    answerCall = _opt(serializers.BooleanField(help_text="Answer the call first (default true)."))
    continueWhilePlay = _opt(
        serializers.BooleanField(help_text="Go on to the next action at once.")
    )


class TalkActionSerializer(_PlaybackAction):
    """Text to speech."""

    text = serializers.CharField(help_text="What is said.")
    voice = _opt(
        serializers.CharField(help_text="e.g. female, male, hn_male_xuantin_vdts_48k-hsmm.")
    )
    speed = _opt(serializers.IntegerField(min_value=-3, max_value=3, help_text="-3..3, default 0."))


class PlayActionSerializer(_PlaybackAction):
    """Play a file uploaded to Stringee (or an audio URL)."""

    fileName = serializers.CharField(help_text="The uploaded file's name, or an audio URL.")


class StreamActionSerializer(_PlaybackAction):
    """Play the audio at a URL (mp3 or wav)."""

    fileName = serializers.URLField(help_text="The audio's URL.")


class InputActionSerializer(_Action):
    """Collect keys; Stringee POSTs them to eventUrl (the portal's IVR callback)."""

    eventUrl = serializers.URLField(help_text="Where the keys are POSTed.")
    timeout = _opt(
        serializers.IntegerField(min_value=1, max_value=3600, help_text="Seconds to wait.")
    )
    submitOnHash = _opt(serializers.BooleanField(help_text="# ends the input."))
    maxDigits = _opt(
        serializers.IntegerField(min_value=1, max_value=20, help_text="Keys to collect.")
    )
    customField = _opt(serializers.CharField(help_text="Echoed back in the POST."))


# `format` is described as text, not an enum: the calls API already names a "format" enum, and a
# second one would need a settings-wide ENUM_NAME_OVERRIDES entry.


class RecordActionSerializer(_Action):
    """Record the call (must come before the connect, which then has peerToPeerCall false)."""

    eventUrl = serializers.CharField(help_text="The portal's recording callback (may be empty).")
    format = _opt(serializers.CharField(help_text=" | ".join(RECORD_FORMATS) + "; default mp3."))
    recordStereo = _opt(serializers.BooleanField(help_text="One channel per party."))


class RecordMessageActionSerializer(_Action):
    """Record a voice message (voicemail)."""

    eventUrl = serializers.URLField(help_text="The portal's recording callback.")
    format = _opt(serializers.CharField(help_text=" | ".join(MESSAGE_FORMATS) + "."))
    endOnKey = _opt(serializers.CharField(max_length=1, help_text="Key that ends the message."))
    timeout = _opt(serializers.IntegerField(min_value=1, help_text="Longest message."))
    beepStart = _opt(serializers.BooleanField(help_text="Beep before recording."))
    silenceTimeout = _opt(
        serializers.IntegerField(min_value=0, help_text="Silence that ends it, ms.")
    )
    silenceThresh = _opt(serializers.IntegerField(min_value=0, max_value=100, help_text="0-100."))


ACTION_SERIALIZERS: dict[str, type[serializers.Serializer]] = {
    "connect": ConnectActionSerializer,
    "talk": TalkActionSerializer,
    "play": PlayActionSerializer,
    "stream": StreamActionSerializer,
    "input": InputActionSerializer,
    "record": RecordActionSerializer,
    "recordMessage": RecordMessageActionSerializer,
}


def scco_response() -> PolymorphicProxySerializer:
    """The SCCO: a JSON array of actions, each one of the seven, told apart by `action`."""
    return PolymorphicProxySerializer(
        component_name="SccoAction",
        serializers=ACTION_SERIALIZERS,  # type: ignore[arg-type]
        resource_type_field_name="action",
        many=True,
    )
