"""Call ids the emulator gives its calls, and how the portal tells a test call from a real one.

Stringee's call ids look like `call-vn-1-ABCDWXKXYZ-1542377678717`. The emulator's start with
`call-test-`, a prefix Stringee never uses, so every request of a test call (answer_url,
callbacks, events, recordings) names it as one, and the call record is marked as a test call
the moment its first event is stored (calls.fold), whatever the order the events arrive in.
"""

from __future__ import annotations

import secrets
import uuid

TEST_CALL_PREFIX = "call-test-"


def new_test_call_id(at_ms: int) -> str:
    """A fresh test call id in Stringee's shape: prefix, ten random letters, epoch ms."""
    letters = "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(10))
    return f"{TEST_CALL_PREFIX}{letters}-{at_ms}"


def new_uuid() -> str:
    """The `uuid` Stringee gives a phone call in its answer_url query."""
    return str(uuid.uuid4())


def is_test_call_id(call_id: str) -> bool:
    """Whether `call_id` is one the emulator made (a test call)."""
    return call_id.startswith(TEST_CALL_PREFIX)
