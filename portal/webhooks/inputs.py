"""Bounds on what callers send: body size, JSON depth, text without NUL or lone surrogates, finite
numbers.

PostgreSQL refuses NUL in text and `\\u0000` in jsonb, UTF-8 cannot carry a lone surrogate, JSON
columns cannot hold NaN or Infinity, and Python's parser overflows its stack near 1,000 levels
of nesting: each of these reached the database (or the parser) and became a 500. They are
refused here, before anything is stored, with the status and code a caller can act on.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass

MAX_BODY_BYTES = 64 * 1024
MAX_DEPTH = 32

_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")


@dataclass
class InputRefused(Exception):
    """The input cannot be accepted: `status` (400 or 413), `code` and `detail` make the reply."""

    status: int
    code: str
    detail: str


def bad_text(value: str) -> bool:
    """Whether `value` holds a NUL or a lone surrogate (no database or UTF-8 encoder takes them)."""
    return _BAD_TEXT.search(value) is not None


def _refuse_constant(name: str):
    raise InputRefused(
        400, "bad_number", f"`{name}` is not a number JSON allows; numbers must be finite."
    )


def loads_bounded(body: bytes, max_bytes: int = MAX_BODY_BYTES, max_depth: int = MAX_DEPTH):
    """The JSON value in `body`, checked by `check_json`; ValueError if it is not JSON at all."""
    if len(body) > max_bytes:
        raise InputRefused(413, "body_too_large", f"The body is larger than {max_bytes} bytes.")
    try:
        value = json.loads(body, parse_constant=_refuse_constant)
    except RecursionError:
        raise InputRefused(
            400, "too_deep", f"JSON nested deeper than {max_depth} levels."
        ) from None
    check_json(value, max_depth)
    return value


def check_json(value, max_depth: int = MAX_DEPTH) -> None:
    """Refuse nesting deeper than `max_depth`, NUL or lone surrogates in any text, non-finite
    numbers."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > max_depth:
                raise InputRefused(400, "too_deep", f"JSON nested deeper than {max_depth} levels.")
            if isinstance(item, dict):
                for key, inner in item.items():
                    _check_text(key)
                    stack.append((inner, depth + 1))
            else:
                stack.extend((inner, depth + 1) for inner in item)
        elif isinstance(item, str):
            _check_text(item)
        elif isinstance(item, float) and not math.isfinite(item):
            raise InputRefused(
                400, "bad_number", "Numbers must be finite (no NaN, Infinity or overflow)."
            )


def _check_text(text: str) -> None:
    if bad_text(text):
        raise InputRefused(
            400, "bad_text", "Text must not contain NUL characters or lone surrogates."
        )
