"""What Stringee sends the answer_url and its callbacks (contract §1.2, §2.2, §2.5), declared for
portal.webhooks.fields: read by hand on every call, and described in the OpenAPI schema.

A value that breaks its declaration is refused by name, and the view then answers the project's
fallback SCCO rather than routing on it (docs/routing.md).
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from portal.webhooks.fields import Boolean, Digits, Field, Flag, Nested, Text, Whole

MAX_PARTY = 128  # a phone number, app user id or SIP address
MAX_ID = 128  # call ids, uuids (calls.payloads bounds call ids the same way)
MAX_CUSTOM = 4096  # makeCall's `custom` and the input's echoed `customField`

# The answer_url's query parameters; the portal's callbacks carry the same ones.
CALL_QUERY: dict[str, Field] = {
    "from": Text(MAX_PARTY, "Caller: app user id (app calls) or phone number (phone calls)."),
    "to": Text(MAX_PARTY, "Called: app user id, phone number or one of the project's numbers."),
    "fromInternal": Flag("`true` when the call comes from an app user, `false` from a phone."),
    "userId": Text(MAX_PARTY, "The calling app user (app calls)."),
    "projectId": Text(32, "Stringee's project id (app calls)."),
    "custom": Text(MAX_CUSTOM, "The `custom` string given to makeCall (app calls)."),
    "callId": Text(MAX_ID, "Stringee's call id (app calls)."),
    "uuid": Text(MAX_ID, "Stringee's call uuid (phone calls to a number)."),
}

# An IVR callback's query: the call's parameters and which try of the menu this is.
IVR_QUERY: dict[str, Field] = {**CALL_QUERY, "attempt": Whole("Try, from 1.", low=1, high=100)}

# A ring-group callback's query: the call's parameters and where the group stands.
RING_QUERY: dict[str, Field] = {
    **CALL_QUERY,
    "next": Whole("Members tried.", low=0, high=1000),
    "start": Whole("First member.", low=0, high=1000),
}

# What Stringee POSTs to an `input` action's eventUrl.
DTMF_BODY: dict[str, Field] = {
    "time": Digits(16, "When, epoch milliseconds written as a string."),
    "dtmf": Text(32, "The keys pressed; blank when none."),
    "digits": Text(32, "Same as `dtmf` (a spelling some clients use)."),
    "call_id": Text(MAX_ID, "Stringee's call id."),
    "callId": Text(MAX_ID, "Same as `call_id`."),
    "customField": Text(MAX_CUSTOM, "The input's `customField`, echoed: the menu and the call."),
    "timeout": Boolean("`true` when no key was pressed in time."),
}

# A party of a call as Stringee describes it in callbacks and events.
ENDPOINT: dict[str, Field] = {
    "type": Text(16, "`internal` (app user) or `external` (phone)."),
    "number": Text(MAX_PARTY, "User id or phone number."),
    "alias": Text(MAX_PARTY, "What the other side sees."),
}

# What Stringee POSTs to a connect's `onFailEventUrl` (also ring-group steps).
CONNECT_FAILED_BODY: dict[str, Field] = {
    "call_status": Text(32, "`connect_failed`."),
    "project_id": Whole("Stringee's project id."),
    "agent_status": Text(32, "e.g. `ended`."),
    "call_id": Text(MAX_ID, "Stringee's call id."),
    "callId": Text(MAX_ID, "Same as `call_id`."),
    "start_time": Whole("Epoch milliseconds.", low=0),
    "from": Nested("Endpoint", "The caller of the failed connect.", ENDPOINT),
    "to": Nested("Endpoint", "The party that could not be reached.", ENDPOINT),
}


def custom_field_params(custom_field: str) -> dict[str, str]:
    """The call parameters the portal packed into an input's `customField` (a query string)."""
    return dict(parse_qsl(custom_field, keep_blank_values=True)) if "=" in custom_field else {}
