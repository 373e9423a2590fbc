"""The SCCO validator accepts contract-shaped SCCOs and names each problem by its path."""

import pytest

from routing import scco
from routing.scco import SccoError, scco_problems, validate_scco

URL = "https://portal.example/hook/"


def test_every_builder_produces_a_valid_action():
    actions = [
        scco.record(URL, format="wav", record_stereo=True),
        scco.connect(
            scco.endpoint("internal", "user_1"),
            scco.endpoint("external", "84901234567"),
            custom_data="x",
            timeout=30,
            max_connect_time=-1,
            peer_to_peer_call=False,
            continue_on_fail=True,
            on_fail_event_url=URL,
        ),
        scco.talk("Hello", voice="hn_male_xuantin_vdts_48k-hsmm", speed=0, barge_in=False, loop=2),
        scco.play(URL + "a.mp3", barge_in=True, loop=1),
        scco.stream(URL + "b.mp3"),
        scco.record_message(
            URL,
            beep_start=True,
            timeout=5000,
            format="mp3",
            silence_thresh=20,
            silence_timeout=3000,
        ),
        scco.input_digits(URL, max_digits=4, timeout=10, submit_on_hash=True),
        scco.connect(
            scco.endpoint("internal", "user_1"),
            scco.endpoint("external", "100", "desk", sip_trunk_id="trunk-1"),
            peer_to_peer_call=False,
        ),
    ]
    assert validate_scco(actions, strict_types=True) == actions


def test_builders_leave_out_options_not_given():
    assert scco.talk("Hi") == {"action": "talk", "text": "Hi"}


@pytest.mark.parametrize(
    "bad, message",
    [
        (
            [
                {
                    "action": "connect",
                    "from": {"type": "internal", "number": "u"},
                    "to": {"type": "phone", "number": "1"},
                }
            ],
            "[0].to.type: must be one of internal, external",
        ),
        (
            [{"action": "connect", "to": {"type": "internal", "number": "u"}}],
            "[0].from: is required",
        ),
        ([{"action": "talk"}], "[0].text: is required"),
        (
            [{"action": "talk", "text": "hi", "bargeIn": "yes"}],
            "[0].bargeIn: must be true or false",
        ),
        (
            [{"action": "record", "eventUrl": URL, "format": "ogg"}],
            "[0].format: must be one of mp3, wav, mp4",
        ),
        (
            [{"action": "input", "eventUrl": "/relative/", "maxDigits": 30}],
            "[0].eventUrl: must be an absolute",
        ),
        (
            [{"action": "input", "eventUrl": URL, "maxDigits": 30}],
            "[0].maxDigits: must be between 1 and 20",
        ),
        ([{"action": "dance"}], "[0].action: must be one of"),
        ([{"action": "talk", "text": "hi", "volume": 3}], "[0].volume: is not a field"),
        (
            [
                {
                    "action": "connect",
                    "from": {"type": "internal", "number": "u"},
                    "to": {"type": "external", "number": "+84 90"},
                }
            ],
            "[0].to.number: an external number must be digits",
        ),
        ([], "SCCO: must be a non-empty list"),
        (
            [
                scco.talk("x"),
                scco.record(URL),
                scco.connect(
                    scco.endpoint("internal", "a"),
                    scco.endpoint("internal", "b"),
                    peer_to_peer_call=True,
                ),
            ],
            "[2].peerToPeerCall: must be false when the call is recorded",
        ),
    ],
)
def test_validator_rejects_bad_scco_naming_the_path(bad, message):
    with pytest.raises(SccoError) as error:
        validate_scco(bad)
    assert any(problem.startswith(message) for problem in error.value.problems), (
        error.value.problems
    )


def test_timeout_of_wrong_type_is_reported_with_its_path():
    problems = scco_problems(
        [scco.talk("a"), {"action": "input", "eventUrl": URL, "timeout": "ten"}]
    )
    assert problems == ["[1].timeout: must be an integer"]


def test_strict_types_report_a_number_written_as_a_string():
    action = {"action": "input", "eventUrl": URL, "timeout": "10"}
    assert scco_problems([action]) == []
    assert scco_problems([action], strict_types=True) == ["[0].timeout: must be an integer"]
