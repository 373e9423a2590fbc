"""What a webhook accepts, declared once per field and read by hand: `parse` checks a query or a
JSON body against the declaration, and `query_parameters` / `body_schema` describe the same
declaration in the OpenAPI schema.

Parsing by hand, not with DRF serializers: on the same input it costs a small fraction
(BENCHMARKS.md, "What one request costs the worker"), and the webhooks are the hot path. Every
field is optional and lenient about type where Stringee is (it sends numbers and booleans as
strings in places), but bounded: an over-long or wrongly typed value is refused by name, and
the webhook answers as its contract says (the routing callbacks: the project's fallback).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from portal.webhooks.inputs import bad_text

_TRUE = {"true", "1", "yes", "on", "t", "y"}
_FALSE = {"false", "0", "no", "off", "f", "n"}
_WHOLE = re.compile(r"^\s*-?\d+(\.0*)?\s*$")


class Refused(ValueError):
    """A value the field does not accept; its text says why."""


@dataclass(frozen=True)
class Text:
    """A string of at most `max_length` characters, blank allowed; a number is taken as its text.
    No NUL or lone surrogate (no database or UTF-8 encoder takes them)."""

    max_length: int
    help: str

    def read(self, value: object) -> str:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise Refused("Not a valid string.")
        text = value if isinstance(value, str) else str(value)
        if len(text) > self.max_length:
            raise Refused(f"Ensure this field has no more than {self.max_length} characters.")
        if bad_text(text):
            raise Refused("Null characters and lone surrogates are not allowed.")
        return text

    def schema(self) -> serializers.Field:
        return serializers.CharField(
            required=False, allow_blank=True, max_length=self.max_length, help_text=self.help
        )


@dataclass(frozen=True)
class Digits(Text):
    """Text of 1 to `max_length` digits (epoch milliseconds written as a string)."""

    def read(self, value: object) -> str:
        text = super().read(value)
        if not text.isdigit() or not text.isascii():
            raise Refused("This value does not match the required pattern.")
        return text

    def schema(self) -> serializers.Field:
        return serializers.RegexField(
            rf"^\d{{1,{self.max_length}}}$", required=False, help_text=self.help
        )


@dataclass(frozen=True)
class Flag:
    """`true` / `false` as Stringee writes them in a query string (any case; blank = absent)."""

    help: str

    def read(self, value: object) -> str:
        text = str(value).lower() if isinstance(value, str) else None
        if text not in ("true", "false", ""):
            raise Refused(f'"{value}" is not a valid choice.')
        return text

    def schema(self) -> serializers.Field:
        return serializers.ChoiceField(
            choices=["true", "false"], required=False, allow_blank=True, help_text=self.help
        )


@dataclass(frozen=True)
class Boolean:
    """A JSON boolean, or the words and digits people write for one (`"true"`, `1`, `"no"`)."""

    help: str

    def read(self, value: object) -> bool:
        if isinstance(value, bool):
            return value
        word = str(value).lower() if isinstance(value, str | int) else None
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        raise Refused("Must be a valid boolean.")

    def schema(self) -> serializers.Field:
        return serializers.BooleanField(required=False, help_text=self.help)


@dataclass(frozen=True)
class Whole:
    """A whole number within [`low`, `high`], as a JSON number or written in a string."""

    help: str
    low: int | None = None
    high: int | None = None

    def read(self, value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int | str) or len(str(value)) > 50:
            raise Refused("A valid integer is required.")
        if isinstance(value, str):
            if not _WHOLE.match(value):
                raise Refused("A valid integer is required.")
            value = int(value.strip().split(".")[0])
        if self.low is not None and value < self.low:
            raise Refused(f"Ensure this value is greater than or equal to {self.low}.")
        if self.high is not None and value > self.high:
            raise Refused(f"Ensure this value is less than or equal to {self.high}.")
        return value

    def schema(self) -> serializers.Field:
        return serializers.IntegerField(
            required=False, min_value=self.low, max_value=self.high, help_text=self.help
        )


@dataclass(frozen=True)
class Nested:
    """A JSON object whose own fields are declared the same way."""

    name: str
    help: str
    fields: dict = field(default_factory=dict)

    def read(self, value: object) -> dict:
        if not isinstance(value, Mapping):
            raise Refused("Invalid data. Expected a dictionary.")
        values, problem = parse(self.fields, value)
        if problem:
            raise Refused(problem)
        return values

    def schema(self) -> serializers.Field:
        return _described(self.name, self.fields)(required=False, help_text=self.help)


Field = Text | Flag | Boolean | Whole | Nested


def parse(fields: Mapping[str, Field], data: Mapping) -> tuple[dict, str]:
    """The declared fields of `data` that are present, read; and the first problem, named by its
    field ("" when none). Undeclared keys are left out."""
    values: dict = {}
    for name, kind in fields.items():
        if name in data:
            try:
                values[name] = kind.read(data[name])
            except Refused as refused:
                return values, f"{name}: {refused}"
    return values, ""


def query_parameters(fields: Mapping[str, Field]) -> list[OpenApiParameter]:
    """The fields as the OpenAPI query parameters of a webhook."""
    types = {Flag: OpenApiTypes.STR, Whole: OpenApiTypes.INT, Boolean: OpenApiTypes.BOOL}
    return [
        OpenApiParameter(
            name,
            types.get(type(kind), OpenApiTypes.STR),
            OpenApiParameter.QUERY,
            required=False,
            description=kind.help,
            enum=["true", "false"] if isinstance(kind, Flag) else None,
        )
        for name, kind in fields.items()
    ]


def body_schema(name: str, fields: Mapping[str, Field]) -> serializers.Serializer:
    """The fields as the OpenAPI description of a webhook's JSON body (never used to parse)."""
    return _described(name, fields)()


_DESCRIBED: dict[str, type[serializers.Serializer]] = {}


def _described(name: str, fields: Mapping[str, Field]) -> type[serializers.Serializer]:
    """One serializer class per described object (the schema's component `name`), made once:
    OpenAPI names a component once, whichever webhook uses it."""
    if name not in _DESCRIBED:
        declared = {key: kind.schema() for key, kind in fields.items()}
        _DESCRIBED[name] = type(name, (serializers.Serializer,), declared)
    return _DESCRIBED[name]
