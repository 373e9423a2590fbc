"""The kinds routing speaks of (destinations, what a rule matches, ring strategies...), one enum
each.

Pure Python, no Django: the engine, the compiled table and the models all use these, so a kind
is spelled in one place. Each member carries its label for staff; `choices()` feeds model fields.
"""

from enum import StrEnum


class Kind(StrEnum):
    """A string enum whose members are `VALUE = "value", "Label"`."""

    label: str

    def __new__(cls, value: str, label: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(member.value, member.label) for member in cls]


class DestinationKind(Kind):
    USER = "user", "App user"
    PHONE = "phone", "External phone"
    SIP = "sip", "SIP trunk"
    MENU = "menu", "IVR menu"
    MESSAGE = "message", "Message, then hang up"
    VOICEMAIL = "voicemail", "Voicemail (record a message)"
    GROUP = "group", "Ring group"


class Direction(Kind):
    ANY = "any", "Any call"
    APP = "app", "From an app user"
    PHONE = "phone", "From a phone"


class CalledKind(Kind):
    """What a rule matches on the called side."""

    ANY = "any", "Anything"
    NUMBER = "number", "One of the project's numbers"
    USER = "user", "One app user"
    ANY_USER = "any_user", "Any app user of the project"
    PATTERN = "pattern", "A number prefix or pattern"


class Hours(Kind):
    ANY = "any", "Any time"
    OPEN = "open", "Only while open (business hours)"
    CLOSED = "closed", "Only while closed (outside hours, holidays)"


class OnFail(Kind):
    MESSAGE = "message", "Say a message"
    VOICEMAIL = "voicemail", "Take a voicemail"
    PHONE = "phone", "Forward to a phone"


class Strategy(Kind):
    SEQUENTIAL = "sequential", "Sequential: always from the first member"
    ROUND_ROBIN = "round_robin", "Round-robin: start after the member rung first last time"


class PartyKind(Kind):
    """Who a ring-group member or a masking participant is."""

    USER = "user", "App user"
    PHONE = "phone", "Phone number"
