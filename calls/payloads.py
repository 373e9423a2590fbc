"""Reading webhook bodies: the JSON object, required ids, and the 400 error that names the
problem."""

from __future__ import annotations

from dataclasses import dataclass

from portal.webhooks.inputs import InputRefused, loads_bounded

MAX_ID_LENGTH = 128


@dataclass
class BadPayload(Exception):
    """The body cannot be stored; `code` and `detail` go into the 400 reply."""

    code: str
    detail: str


def load_object(body: bytes) -> dict:
    """The JSON object in `body`, or BadPayload (malformed_json / not_an_object, or the bound
    broken:
    body_too_large, too_deep, bad_text, bad_number; see portal.webhooks.inputs)."""
    try:
        payload = loads_bounded(body)
    except InputRefused as refused:
        raise BadPayload(refused.code, refused.detail) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadPayload("malformed_json", f"The body is not valid JSON ({exc}).") from exc
    if not isinstance(payload, dict):
        raise BadPayload(
            "not_an_object", f"The body must be a JSON object, not {type(payload).__name__}."
        )
    return payload


def required_id(payload: dict, *names: str) -> str:
    """The first of `names` present, as a non-empty string of at most 128 characters."""
    value = next((payload[name] for name in names if payload.get(name) not in (None, "")), None)
    if value is None:
        raise BadPayload(f"missing_{names[0]}", f"The body has no `{names[0]}`.")
    if not isinstance(value, str) or len(value) > MAX_ID_LENGTH:
        raise BadPayload(
            "bad_field", f"`{names[0]}` must be a string of at most {MAX_ID_LENGTH} characters."
        )
    return value
