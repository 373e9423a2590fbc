"""The kinds routing speaks of (destinations, what a rule matches, ring strategies...), one enum
each.

Pure Python, no Django: the engine, the compiled table and the models all use these, so a kind
is spelled in one place. Each member carries its label for staff; `choices()` feeds model fields.
"""

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


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
    USER = "user", _("App user")
    PHONE = "phone", _("External phone")
    SIP = "sip", _("SIP trunk")
    MENU = "menu", _("IVR menu")
    MESSAGE = "message", _("Message, then hang up")
    VOICEMAIL = "voicemail", _("Voicemail (record a message)")
    GROUP = "group", _("Ring group")


class Direction(Kind):
    ANY = "any", _("Any call")
    APP = "app", _("From an app user")
    PHONE = "phone", _("From a phone")


class CalledKind(Kind):
    """What a rule matches on the called side."""

    ANY = "any", _("Anything")
    NUMBER = "number", _("One of the project's numbers")
    USER = "user", _("One app user")
    ANY_USER = "any_user", _("Any app user of the project")
    PATTERN = "pattern", _("A number prefix or pattern")


class Hours(Kind):
    ANY = "any", _("Any time")
    OPEN = "open", _("Only while open (business hours)")
    CLOSED = "closed", _("Only while closed (outside hours, holidays)")


class OnFail(Kind):
    MESSAGE = "message", _("Say a message")
    VOICEMAIL = "voicemail", _("Take a voicemail")
    PHONE = "phone", _("Forward to a phone")


class Strategy(Kind):
    SEQUENTIAL = "sequential", _("Sequential: always from the first member")
    ROUND_ROBIN = "round_robin", _("Round-robin: start after the member rung first last time")


class PartyKind(Kind):
    """Who a ring-group member or a masking participant is."""

    USER = "user", _("App user")
    PHONE = "phone", _("Phone number")
