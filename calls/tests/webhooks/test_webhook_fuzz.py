"""Generated bodies and parameters against every webhook that takes a body: never a server error.

Hypothesis builds bodies close to Stringee's contract and far from it (wrong types, NUL, lone
surrogates, NaN, huge numbers, deep nesting, bytes that are not JSON) for the event_url, the
recording callback and the IVR / on-fail / ring callbacks. Every reply is below 500, and every
event the event_url accepts is stored, with its record readable in the admin list and the API.
Derandomized (the same examples on every run) so that CI is stable.
"""

import json
from urllib.parse import urlencode

import pytest
from django.test import Client
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from calls.models import CallEvent
from calls.tests.factories import T0, event_url_of, recording_url_of
from portal.tests.factories import StaffUserFactory
from portal.tests.helpers import jwt_headers
from routing.tests.factories import IvrMenuFactory, IvrOptionFactory, RoutingRuleFactory

pytestmark = [
    pytest.mark.django_db,
    # Call ids are arbitrary text, fine for Redis and local memory (memcached is not supported).
    pytest.mark.filterwarnings("ignore::django.core.cache.backends.base.CacheKeyWarning"),
]

FUZZ = settings(
    max_examples=1000,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

# Any code point, lone surrogates and NUL included (json.dumps escapes them as \\udxxx, \\u0000).
any_text = st.text(st.characters(codec=None, categories=None), max_size=20)
ids = st.one_of(
    st.sampled_from(["c1", "c2", "call-3", "ü-call"]), any_text, st.text(min_size=120, max_size=140)
)
numbers = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 1, -1, 1e308, 2**63, 2**63 - 1]),
)
timestamps = st.one_of(
    st.integers(min_value=T0, max_value=T0 + 3_600_000),
    st.sampled_from(
        [946_684_800_000, 4_102_444_799_999, 4_102_444_800_000, 253402300799999, 0, -1]
    ),
    numbers,
    any_text,
)
scalars = st.one_of(st.none(), st.booleans(), numbers, any_text)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(any_text, inner, max_size=3),
    max_leaves=8,
)
parties = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {},
        optional={
            "number": st.one_of(
                st.sampled_from(["84901234567", "user_1", "+84 90 123 4567"]), json_values
            ),
            "alias": json_values,
            "type": st.one_of(st.sampled_from(["internal", "external"]), json_values),
            "is_online": json_values,
        },
    ),
)
events = st.fixed_dictionaries(
    {},
    optional={
        "call_id": ids,
        "room_id": ids,
        "timestamp_ms": timestamps,
        "type": st.one_of(st.just("stringee_call"), st.just("room"), json_values),
        "call_status": st.one_of(
            st.sampled_from(["created", "ringing", "answered", "ended"]), json_values
        ),
        "from": parties,
        "to": parties,
        "duration": numbers,
        "answerDuration": numbers,
        "endCallCause": st.one_of(st.sampled_from(["486 Busy", "timeout"]), json_values),
        "endedBy": json_values,
        "request_from_user_id": json_values,
        "event_id": st.one_of(ids, numbers),
        "serial": numbers,
        "project_id": numbers,
        "recording_url": st.one_of(st.just("https://f.example.com/r.mp3"), json_values),
        "extra": json_values,
    },
)

# Within the contract: these are accepted, stored and must be readable afterwards.
clean_text = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=40)
clean_ids = st.one_of(
    st.sampled_from(["c1", "c2", "call-3"]), clean_text.filter(bool).map(lambda t: t[:128])
)
clean_parties = st.fixed_dictionaries(
    {},
    optional={
        "number": st.one_of(
            st.sampled_from(["84901234567", "user_1", "+84 90 123 4567", ""]), clean_text
        ),
        "alias": clean_text,
        "type": st.sampled_from(["internal", "external", "phone"]),
    },
)
valid_events = st.fixed_dictionaries(
    {
        "call_id": clean_ids,
        "timestamp_ms": st.one_of(
            st.integers(min_value=T0, max_value=T0 + 3_600_000),
            st.integers(min_value=946_684_800_000, max_value=4_102_444_799_999),
        ),
        "call_status": st.sampled_from(["created", "ringing", "answered", "ended", "agentEnded"]),
    },
    optional={
        "from": clean_parties,
        "to": clean_parties,
        "answerDuration": st.one_of(st.integers(0, 10**6), st.floats(0, 1e6)),
        "duration": st.integers(0, 10**6),
        "endCallCause": clean_text,
        "endedBy": clean_text,
        "request_from_user_id": clean_ids,
        "event_id": st.one_of(clean_ids, st.integers(0, 10**20)),
        "serial": st.integers(-(2**63), 2**63 - 1),
        "extra": json_values.filter(lambda v: not isinstance(v, float)),
    },
)


def _deep(depth: int) -> bytes:
    return (
        b'{"call_id": "deep", "timestamp_ms": %d, "x": ' % T0 + b"[" * depth + b"]" * depth + b"}"
    )


bodies = st.one_of(
    valid_events.map(lambda body: json.dumps(body).encode()),
    valid_events.map(lambda body: json.dumps(body).encode()),
    events.map(lambda body: json.dumps(body).encode()),
    st.binary(max_size=64),
    st.integers(min_value=30, max_value=3000).map(_deep),
    json_values.map(lambda value: json.dumps(value).encode()),
)
query = st.dictionaries(
    st.sampled_from(
        ["callId", "call_id", "url", "duration", "format", "from", "to", "attempt", "next", "start"]
    ),
    any_text,
    max_size=4,
)


@pytest.fixture
def readers(tenant_a):
    """A superuser's admin client; the API is read with a fresh JWT each time."""
    admin = Client()
    admin.force_login(StaffUserFactory(is_superuser=True))
    return admin


@FUZZ
@given(body=bodies)
def test_event_url_never_answers_a_server_error(client, tenant_a, readers, body):
    response = client.post(event_url_of(tenant_a), data=body, content_type="application/json")
    assert response.status_code < 500, (response.status_code, body)
    event(f"event_url {response.status_code}")
    if response.status_code != 200:
        return
    payload = json.loads(body)
    call_id = payload.get("call_id") or payload.get("room_id")
    stored = CallEvent.objects.filter(project=tenant_a)
    if payload.get("event_id") is not None:  # unique per project: a repeated id is the same event
        stored = stored.filter(event_id=str(payload["event_id"]))
    else:
        stored = stored.filter(call_id=call_id)
    assert stored.exists()
    admin_list = readers.get("/admin/calls/callrecord/", {"q": call_id})
    assert admin_list.status_code == 200
    api = readers.get("/api/v1/calls/", {"call_id": call_id}, headers=jwt_headers(tenant_a))
    assert api.status_code == 200, api.content


@settings(FUZZ, max_examples=600)
@given(body=bodies, params=query, method=st.sampled_from(["GET", "POST"]))
def test_recording_callback_never_answers_a_server_error(client, tenant_a, body, params, method):
    url = recording_url_of(tenant_a)
    if method == "GET":
        response = client.get(url, QUERY_STRING=_encode(params))
    else:
        response = client.post(
            url, data=body, content_type="application/json", QUERY_STRING=_encode(params)
        )
    assert response.status_code < 500, (response.status_code, body, params)


@pytest.fixture
def routes(tenant_a):
    """A menu, a rule with on-fail and a ring group target so the callbacks reach the engine."""
    menu = IvrMenuFactory(project=tenant_a)
    IvrOptionFactory(menu=menu, digit="1")
    rule = RoutingRuleFactory(project=tenant_a, destination_kind="menu", destination_menu=menu)
    return {"ivr": menu.pk, "on_fail": rule.pk, "ring": 1}


@settings(FUZZ, max_examples=1400)
@given(body=bodies, params=query, kind=st.sampled_from(["ivr", "on_fail", "ring"]))
def test_routing_callbacks_never_answer_a_server_error(
    client, tenant_a, routes, body, params, kind
):
    url = f"/{kind}/{tenant_a.stringee_project_id}/{tenant_a.webhook_token}/{routes[kind]}/"
    response = client.post(
        url, data=body, content_type="application/json", QUERY_STRING=_encode(params)
    )
    assert response.status_code < 500, (response.status_code, body, params)


def _encode(params: dict) -> str:
    return urlencode({key: value.encode("utf-8", "surrogatepass") for key, value in params.items()})
