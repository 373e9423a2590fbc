"""SCCOs in the shapes Stringee's own code uses (contract §0) build, validate and read back."""

from datetime import UTC, datetime

import pytest

from routing import engine, scco
from routing.engine import destinations
from routing.engine.types import Call, Context, Table
from routing.scco import SccoError, scco_problems, validate_scco

URL = "https://portal.example/hook/"


class Links:
    def ivr(self, menu_id, call, attempt):
        return f"{URL}ivr/{menu_id}/?attempt={attempt}"

    def on_fail(self, rule_id, call):
        return f"{URL}fail/{rule_id}/"

    def recording(self, call):
        return f"{URL}rec/"

    def ring(self, group_id, call, tried, start):
        return f"{URL}ring/{group_id}/?next={tried}&start={start}"


def test_play_names_the_file_in_file_name_as_stringee_reads_it():
    assert scco.play("greeting.mp3", barge_in=True, loop=1) == {
        "action": "play",
        "fileName": "greeting.mp3",
        "bargeIn": True,
        "loop": 1,
    }


def test_the_techtalk_play_action_validates_and_a_file_field_does_not():
    assert (
        scco_problems([{"action": "play", "fileName": "greeting.mp3", "bargeIn": True, "loop": 1}])
        == []
    )
    problems = scco_problems([{"action": "play", "file": "https://cdn.example/a.mp3"}])
    assert problems == ["[0].fileName: is required", "[0].file: is not a field of this object"]


def test_stream_takes_its_url_in_file_name():
    assert scco.stream("https://cdn.example/a.mp3") == {
        "action": "stream",
        "fileName": "https://cdn.example/a.mp3",
    }
    assert scco_problems([{"action": "stream", "fileName": "a.mp3"}]) == [
        "[0].fileName: must be an absolute http(s) URL"
    ]


def test_validator_refuses_a_sip_endpoint_type():
    action = {
        "action": "connect",
        "from": {"type": "internal", "number": "user_1", "alias": "user_1"},
        "to": {"type": "sip", "number": "sip:100@pbx.example", "alias": "desk"},
    }
    with pytest.raises(SccoError) as error:
        validate_scco([action])
    assert error.value.problems == ["[0].to.type: must be one of internal, external"]


def test_softphone_backend_connect_through_a_sip_trunk_with_event_urls_validates():
    # The shape of server-samples softphone-backend Answer.php.
    action = {
        "action": "connect",
        "from": {"type": "internal", "number": "user_1", "alias": "user_1"},
        "to": {
            "type": "external",
            "number": "0909982888",
            "alias": "0909982888",
            "sipTrunkId": "ST_1",
        },
        "eventUrl": [URL + "a", URL + "b"],
        "customData": "",
    }
    assert scco_problems([action]) == []


def test_builders_emit_sip_trunk_id_and_event_url():
    built = scco.connect(
        scco.endpoint("internal", "user_1"),
        scco.endpoint("external", "100", "desk", sip_trunk_id="ST_1"),
        event_url=[URL],
    )
    assert built["to"] == {
        "type": "external",
        "number": "100",
        "alias": "desk",
        "sipTrunkId": "ST_1",
    }
    assert built["eventUrl"] == [URL]
    assert validate_scco([built], strict_types=True) == [built]


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"eventUrl": URL}, "[0].eventUrl: must be a list of absolute http(s) URLs"),
        ({"eventUrl": ["/relative"]}, "[0].eventUrl: must be a list of absolute http(s) URLs"),
        (
            {"from": {"type": "internal", "number": "u", "sipTrunkId": "ST_1"}},
            "[0].from.sipTrunkId: only",
        ),
        (
            {"to": {"type": "external", "number": "1 2", "sipTrunkId": "ST_1"}},
            "[0].to.number: must be",
        ),
    ],
)
def test_connect_event_url_and_sip_trunk_mistakes_are_named(bad, message):
    action = {
        "action": "connect",
        "from": {"type": "internal", "number": "user_1"},
        "to": {"type": "external", "number": "84901234567"},
        **bad,
    }
    assert any(problem.startswith(message) for problem in scco_problems([action])), scco_problems(
        [action]
    )


def test_auto_call_sample_with_string_typed_values_is_accepted_when_read_back():
    # server-samples auto-call/php sends booleans and numbers as strings; Stringee takes them.
    sample = [
        {"action": "talk", "text": "Xin chào", "bargeIn": "true", "loop": "2", "speed": "-1"},
        {
            "action": "input",
            "eventUrl": URL,
            "submitOnHash": "false",
            "timeout": "15",
            "maxDigits": "1",
            "customField": "menu-1",
        },
        {"action": "record", "eventUrl": URL, "format": "mp3"},
        {
            "action": "connect",
            "from": {"type": "external", "number": "84912345678", "alias": "84912345678"},
            "to": {"type": "internal", "number": "agent_7", "alias": "842473000111"},
            "peerToPeerCall": "false",
            "timeout": "30",
            "maxConnectTime": "-1",
            "continueOnFail": "true",
        },
    ]
    assert scco_problems(sample) == []
    assert "[0].bargeIn: must be true or false" in scco_problems(sample, strict_types=True)


@pytest.mark.parametrize(
    "action, message",
    [
        ({"action": "talk", "text": "a", "speed": "4"}, "[0].speed: must be between -3 and 3"),
        ({"action": "talk", "text": "a", "bargeIn": "yes"}, "[0].bargeIn: must be true or false"),
        ({"action": "input", "eventUrl": URL, "timeout": "15s"}, "[0].timeout: must be an integer"),
        (
            {"action": "recordMessage", "eventUrl": URL, "silenceThresh": "101"},
            "[0].silenceThresh: must be between 0 and 100",
        ),
    ],
)
def test_string_typed_values_are_still_checked_for_range_and_form(action, message):
    assert scco_problems([action]) == [message]


def test_input_timeout_is_read_in_either_spelling_but_not_both():
    assert scco_problems([{"action": "input", "eventUrl": URL, "timeOut": 5}]) == []
    both = {"action": "input", "eventUrl": URL, "timeout": 5, "timeOut": 5}
    assert scco_problems([both]) == ["[0].timeOut: give timeout or timeOut, not both"]


def test_every_documented_field_of_every_action_is_known():
    full = [
        scco.record(URL, format="mp4", record_stereo=True),
        scco.talk(
            "Hello",
            voice="female",
            speed=-3,
            barge_in=False,
            loop=2,
            silence_time=500,
            answer_call=True,
            continue_while_play=False,
        ),
        scco.play(
            "greeting.mp3",
            barge_in=True,
            loop=1,
            silence_time=0,
            answer_call=False,
            continue_while_play=True,
        ),
        scco.stream(URL + "a.wav", barge_in=False, loop=3, silence_time=10, answer_call=True),
        scco.input_digits(
            URL, max_digits=4, timeout=10, submit_on_hash=True, custom_field="menu-1"
        ),
        scco.record_message(
            URL,
            format="wav",
            end_on_key="#",
            timeout=30000,
            beep_start=True,
            silence_timeout=1500,
            silence_thresh=100,
        ),
        scco.connect(
            scco.endpoint("external", "84912345678"),
            scco.endpoint("internal", "agent_7", "842473000111"),
            custom_data='{"ticket":42}',
            continue_on_fail=True,
            on_fail_event_url=URL,
            timeout=30,
            max_connect_time=-1,
            peer_to_peer_call=False,
            event_url=[URL],
        ),
    ]
    assert validate_scco(full, strict_types=True) == full
    assert scco_problems([{"action": "recordMessage", "eventUrl": URL, "format": "mp4"}]) == [
        "[0].format: must be one of mp3, wav"
    ]
    assert scco_problems([{"action": "recordMessage", "eventUrl": URL, "endOnKey": "##"}]) == [
        "[0].endOnKey: must be one key: 0-9, * or #"
    ]


def test_record_may_have_an_empty_event_url():
    assert scco_problems([{"action": "record", "eventUrl": "", "format": "mp3"}]) == []


# --- every destination builder's output --------------------------------------------------------

MENU = {
    "id": 7,
    "text": "Press 1",
    "voice": "",
    "audio": "",
    "timeout": 5,
    "invalid_message": "Sorry",
    "final": {"kind": "message", "text": "Bye"},
}
GROUP = {
    "id": 3,
    "strategy": "sequential",
    "caller_id": "",
    "members": [
        {"kind": "user", "address": "alice", "timeout": 20},
        {"kind": "phone", "address": "+84909000111", "timeout": 20},
    ],
    "final": {"kind": "voicemail"},
}
TABLE = Table(
    project_id=1,
    time_zone="Asia/Ho_Chi_Minh",
    fallback_message="Not available",
    numbers=frozenset({"+84899100001"}),
    users=frozenset({"alice"}),
    rules=(),
    by_number={},
    by_user={},
    general=(),
    menus={"7": MENU, "8": {**MENU, "id": 8, "audio": "https://cdn.example/menu.mp3"}},
    groups={"3": GROUP},
)
RECORDED = {"record": True, "record_format": "wav", "timeout": 20, "on_fail": True, "rule_id": 9}
DESTINATIONS = {
    "user": ({"kind": "user", "user": "alice"}, {}),
    "user recorded": ({"kind": "user", "user": "alice"}, RECORDED),
    "phone": ({"kind": "phone", "number": "+84909000111"}, {"caller_id": "84899100001"}),
    "sip trunk": ({"kind": "sip", "sip": "100", "trunk": "ST_1"}, {}),
    "menu talk": ({"kind": "menu", "menu": 7}, {}),
    "menu play": ({"kind": "menu", "menu": 8}, {}),
    "message talk": ({"kind": "message", "text": "Closed", "voice": "female"}, {}),
    "message play": ({"kind": "message", "audio": "https://cdn.example/closed.mp3"}, {}),
    "voicemail": ({"kind": "voicemail"}, {}),
    "group": ({"kind": "group", "group": 3}, {}),
}


def context(options: dict) -> Context:
    call = Call("84901234567", "84899100001", False, datetime(2026, 1, 5, 10, tzinfo=UTC))
    return Context(call, TABLE, Links(), options)


@pytest.mark.parametrize("name", list(DESTINATIONS))
def test_every_destination_builder_emits_a_strictly_valid_scco(name):
    destination, options = DESTINATIONS[name]
    built = destinations.build(destination, context(options))
    assert built is not None
    assert scco_problems(built, strict_types=True) == []


def test_the_builder_test_covers_every_registered_kind():
    assert engine.destinations is destinations  # importing the engine registers the group builder
    assert set(destinations.BUILDERS) == {
        destination["kind"] for destination, _ in DESTINATIONS.values()
    }


def test_sip_destination_goes_out_through_its_trunk_as_an_external_endpoint():
    built = destinations.build({"kind": "sip", "sip": "100", "trunk": "ST_1"}, context({}))
    assert built[0]["to"] == {
        "type": "external",
        "number": "100",
        "alias": "100",
        "sipTrunkId": "ST_1",
    }


def test_sip_destination_without_a_trunk_is_passed_over():
    assert destinations.build({"kind": "sip", "sip": "sip:100@pbx.example"}, context({})) is None


def test_message_and_menu_greetings_play_by_file_name():
    message = destinations.build(
        {"kind": "message", "audio": "https://cdn.example/c.mp3"}, context({})
    )
    assert message == [
        {"action": "play", "fileName": "https://cdn.example/c.mp3", "bargeIn": False}
    ]
    menu = destinations.build({"kind": "menu", "menu": 8}, context({}))
    assert menu[0] == {
        "action": "play",
        "fileName": "https://cdn.example/menu.mp3",
        "bargeIn": True,
    }


def test_the_softphone_backends_internal_connect_with_sip_trunk_id_0_validates():
    # server-samples softphone-backend: every connect carries sipTrunkId, 0 when no trunk is used.
    softphone = [
        {
            "action": "connect",
            "from": {"type": "internal", "number": "user_1", "alias": "user_1"},
            "to": {"type": "internal", "number": "user_2", "alias": "user_2", "sipTrunkId": 0},
            "customData": "",
            "timeout": 45,
            "maxConnectTime": -1,
            "peerToPeerCall": False,
        }
    ]
    assert scco_problems(softphone) == []
    assert scco_problems(softphone, strict_types=True) == []


def test_an_internal_endpoint_naming_a_real_trunk_is_still_refused():
    action = {
        "action": "connect",
        "from": {"type": "internal", "number": "user_1"},
        "to": {"type": "internal", "number": "user_2", "sipTrunkId": 7},
    }
    assert scco_problems([action]) == [
        "[0].to.sipTrunkId: only an external endpoint goes out through a SIP trunk"
    ]


def test_a_recorded_connect_that_leaves_out_peer_to_peer_call_validates():
    # Stringee's default for peerToPeerCall is false, so the recording is made.
    recorded = [
        {"action": "record", "eventUrl": "", "format": "mp3"},
        {
            "action": "connect",
            "from": {"type": "internal", "number": "user_1", "alias": "user_1"},
            "to": {"type": "external", "number": "84901234567", "alias": "84901234567"},
        },
    ]
    assert scco_problems(recorded) == []
    recorded[1]["peerToPeerCall"] = True
    assert scco_problems(recorded) == [
        "[1].peerToPeerCall: must be false when the call is recorded"
    ]


def test_empty_strings_for_optional_urls_validate():
    connect = {
        "action": "connect",
        "from": {"type": "external", "number": "84901234567", "alias": "84901234567"},
        "to": {"type": "internal", "number": "agent_1", "alias": "agent_1"},
        "eventUrl": "",
        "onFailEventUrl": "",
        "continueOnFail": False,
    }
    assert scco_problems([{"action": "record", "eventUrl": ""}, connect]) == []
    connect["onFailEventUrl"] = "not a url"
    assert scco_problems([connect]) == [
        "[0].onFailEventUrl: must be an absolute http(s) URL or empty"
    ]


def test_a_sip_trunk_id_of_0_on_a_phone_number_does_not_skip_where_calls_may_go():
    # 0 means "no trunk": the number is a phone number like any other, held to the same rules.
    to = {"type": "external", "number": "84901234567", "alias": "84901234567", "sipTrunkId": 0}
    assert not scco.uses_sip_trunk(to)
    assert scco.uses_sip_trunk({**to, "sipTrunkId": "ST_1"})
    assert scco_problems([{"action": "connect", "from": to, "to": {**to, "number": "1 2"}}]) == [
        "[0].to.number: an external number must be digits with country code"
    ]
