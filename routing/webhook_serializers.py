"""What Stringee sends the answer_url and its callbacks, as DRF serializers (validation + OpenAPI).

Every field is optional and lenient about type (Stringee sends numbers and booleans as strings
in places), but bounded: an over-long or wrongly typed value is refused by name, and the view
then answers the project's fallback SCCO rather than routing on it (docs/routing.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qsl

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.fields import get_error_detail
from rest_framework.utils.serializer_helpers import BindingDict

MAX_PARTY = 128  # a phone number, app user id or SIP address
MAX_ID = 128  # call ids, uuids (calls.payloads bounds call ids the same way)
MAX_CUSTOM = 4096  # makeCall's `custom` and the input's echoed `customField`


class _Text(serializers.CharField):
    """A bounded string that may be blank; numbers are taken as their text."""

    def __init__(self, max_length: int, help_text: str, **kwargs):
        super().__init__(
            required=False,
            allow_blank=True,
            trim_whitespace=False,
            max_length=max_length,
            help_text=help_text,
            **kwargs,
        )

    def run_validation(self, data=serializers.empty):
        # The common case, decided without DRF's validator chain: an ASCII string (so no
        # surrogates) within the bound and without NUL is exactly what CharField would return.
        limit = self.max_length or 0
        if type(data) is str and len(data) <= limit and data.isascii() and "\x00" not in data:
            return data
        return super().run_validation(data)


class _Flag(serializers.ChoiceField):
    """`true` / `false` as Stringee writes them in a query string (any case; blank = absent)."""

    def __init__(self, help_text: str):
        super().__init__(
            choices=["true", "false"], required=False, allow_blank=True, help_text=help_text
        )

    def run_validation(self, data=serializers.empty):
        if type(data) is str and data.lower() in ("true", "false", ""):  # the common case, directly
            return data.lower()
        return super().run_validation(data)

    def to_internal_value(self, data):
        return super().to_internal_value(str(data).lower())


class SharedFieldsSerializer(serializers.Serializer):
    """A serializer whose fields are built once per class, not deep-copied for every instance.

    DRF copies every declared field for each serializer it creates; on the answer_url that copy
    cost more than routing the call. These serializers only validate plain values (no context,
    no instance, nothing stored on a field while validating), so one bound set per class serves
    every request safely. Their fields are all optional, without defaults, sources or
    `validate_<field>` methods, which lets `to_internal_value` be a plain loop.
    """

    def to_internal_value(self, data):
        if not isinstance(data, Mapping):
            return super().to_internal_value(data)
        validated, errors = {}, {}
        for name, field in self.fields.items():
            if name in data:
                try:
                    validated[name] = field.run_validation(data[name])
                except serializers.ValidationError as exc:
                    errors[name] = exc.detail  # type: ignore[assignment]
                except DjangoValidationError as exc:
                    errors[name] = get_error_detail(exc)  # type: ignore[assignment]
        if errors:
            raise serializers.ValidationError(errors)
        return validated

    def run_validators(self, value):
        if self.validators:  # none declared: skip DRF's walk over the read-only defaults
            super().run_validators(value)

    @property
    def fields(self):
        cls = type(self)
        shared = cls.__dict__.get("_shared_fields")
        if shared is None:
            shared = BindingDict(cls())  # bound to an instance of their own
            for name, field in self.get_fields().items():
                shared[name] = field
            cls._shared_fields = shared  # type: ignore[attr-defined]
        return shared


def _renamed_from(fields: dict) -> dict:
    """`from` is a Python keyword: serializers declare `from_` and name the field `from`."""
    return {("from" if name == "from_" else name): field for name, field in fields.items()}


class CallQuerySerializer(SharedFieldsSerializer):
    """The answer_url's query parameters (contract §1.2); the portal's callbacks carry the same
    ones."""

    from_ = _Text(MAX_PARTY, "Caller: app user id (app calls) or phone number (phone calls).")
    to = _Text(MAX_PARTY, "Called: app user id, phone number or one of the project's numbers.")
    fromInternal = _Flag("`true` when the call comes from an app user, `false` from a phone.")
    userId = _Text(MAX_PARTY, "The calling app user (app calls).")
    projectId = _Text(32, "Stringee's project id (app calls).")
    custom = _Text(MAX_CUSTOM, "The `custom` string given to makeCall (app calls).")
    callId = _Text(MAX_ID, "Stringee's call id (app calls).")
    uuid = _Text(MAX_ID, "Stringee's call uuid (phone calls to a number).")

    def get_fields(self):
        return _renamed_from(super().get_fields())


class IvrQuerySerializer(CallQuerySerializer):
    """An IVR callback's query: the call's parameters and which try of the menu this is."""

    attempt = serializers.IntegerField(
        required=False, min_value=1, max_value=100, help_text="Try, from 1."
    )


class RingQuerySerializer(CallQuerySerializer):
    """A ring-group callback's query: the call's parameters and where the group stands."""

    next = serializers.IntegerField(
        required=False, min_value=0, max_value=1000, help_text="Members tried."
    )
    start = serializers.IntegerField(
        required=False, min_value=0, max_value=1000, help_text="First member."
    )


class DtmfSerializer(SharedFieldsSerializer):
    """What Stringee POSTs to an `input` action's eventUrl (contract §2.5)."""

    time = serializers.RegexField(
        r"^\d{1,16}$", required=False, help_text="When, epoch milliseconds written as a string."
    )
    dtmf = _Text(32, "The keys pressed; blank when none.")
    digits = _Text(32, "Same as `dtmf` (a spelling some clients use).")
    call_id = _Text(MAX_ID, "Stringee's call id.")
    callId = _Text(MAX_ID, "Same as `call_id`.")
    customField = _Text(MAX_CUSTOM, "The input's `customField`, echoed: the menu and the call.")
    timeout = serializers.BooleanField(
        required=False, help_text="`true` when no key was pressed in time."
    )


class EndpointSerializer(SharedFieldsSerializer):
    """A party of a call as Stringee describes it in callbacks and events."""

    type = _Text(16, "`internal` (app user) or `external` (phone).")
    number = _Text(MAX_PARTY, "User id or phone number.")
    alias = _Text(MAX_PARTY, "What the other side sees.")


class ConnectFailedSerializer(SharedFieldsSerializer):
    """What Stringee POSTs to a connect's `onFailEventUrl` (contract §2.2; also ring-group
    steps)."""

    call_status = _Text(32, "`connect_failed`.")
    project_id = serializers.IntegerField(required=False, help_text="Stringee's project id.")
    agent_status = _Text(32, "e.g. `ended`.")
    call_id = _Text(MAX_ID, "Stringee's call id.")
    callId = _Text(MAX_ID, "Same as `call_id`.")
    start_time = serializers.IntegerField(
        required=False, min_value=0, help_text="Epoch milliseconds."
    )
    from_ = EndpointSerializer(required=False, help_text="The caller of the failed connect.")
    to = EndpointSerializer(required=False, help_text="The party that could not be reached.")

    def get_fields(self):
        return _renamed_from(super().get_fields())


def custom_field_params(custom_field: str) -> dict[str, str]:
    """The call parameters the portal packed into an input's `customField` (a query string)."""
    return dict(parse_qsl(custom_field, keep_blank_values=True)) if "=" in custom_field else {}
