"""Where a call goes: the destination fields shared by rules, IVR keys and the final steps of
menus and ring groups."""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.models import AppUser, CheckedInPython, VirtualNumber
from portal.phone import E164Field, stringee_digits
from routing.kinds import DestinationKind

# What `play` takes (contract §0: `fileName`): a file uploaded to Stringee, or an http(s) link.
validate_audio = RegexValidator(
    r"^(https?://\S+|[\w .()-]+\.(mp3|wav))$",
    (
        "Enter the name of a file uploaded to Stringee (e.g. "
        "closed.mp3) or an http(s) link to an audio file."
    ),
)
validate_trunk_number = RegexValidator(
    r"^\+?[0-9A-Za-z*#_.-]{1,32}$", "Enter the number or extension to dial on the trunk (e.g. 100)."
)
AUDIO_HELP = (
    "A file uploaded to Stringee (e.g. closed.mp3) or an http(s) link; played instead of the text."
)


def another_projects(related: models.Model | None, project_id: int | None) -> bool:
    """Whether a chosen related row (an app user, a menu, a number...) is another project's."""
    return related is not None and getattr(related, "project_id", None) != project_id


class Destination(CheckedInPython):
    """Where a call goes: shared by rules, IVR keys and the final steps of menus and ring groups."""

    # Phone numbers calls may be sent to: checked against where the project's calls may go
    # (portal.services.dialling) when saved, and again when a call is routed.
    dialled_fields: tuple[str, ...] = ("destination_number",)

    destination_kind = models.CharField(
        max_length=10,
        choices=DestinationKind.choices(),
        default=DestinationKind.USER,
        verbose_name=_("destination kind"),
    )
    destination_user = models.ForeignKey(
        AppUser,
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="+",
        help_text=_("Blank: the app user the call was made to."),
        verbose_name=_("destination user"),
    )
    destination_number = E164Field(
        blank=True,
        help_text=_("Blank: the number the caller dialled."),
        verbose_name=_("destination number"),
    )
    destination_sip_trunk = models.CharField(
        _("SIP trunk id"),
        max_length=64,
        blank=True,
        help_text=_("Stringee's sipTrunkId (Stringee dashboard › SIP trunks)."),
    )
    destination_sip_number = models.CharField(
        _("number on the trunk"), max_length=32, blank=True, validators=[validate_trunk_number]
    )
    destination_menu = models.ForeignKey(
        "routing.IvrMenu",
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="+",
        verbose_name=_("destination menu"),
    )
    destination_group = models.ForeignKey(
        "routing.RingGroup",
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="+",
        verbose_name=_("destination group"),
    )
    message_text = models.CharField(
        max_length=1000,
        blank=True,
        help_text=_("Spoken text; blank plays the project's fallback message."),
        verbose_name=_("message text"),
    )
    message_voice = models.CharField(
        max_length=100,
        blank=True,
        help_text=_("Stringee voice, e.g. hn_male_xuantin_vdts_48k-hsmm."),
        verbose_name=_("message voice"),
    )
    message_audio = models.CharField(
        _("audio file"),
        max_length=500,
        blank=True,
        validators=[validate_audio],
        help_text=AUDIO_HELP,
    )

    class Meta:
        abstract = True

    def destination_json(self) -> dict:
        """The destination as the routing snapshot stores it (routing.engine.destinations reads
        it)."""
        return {
            "kind": self.destination_kind,
            "user": self.destination_user.user_id if self.destination_user is not None else "",
            "number": self.destination_number or "",
            "sip": self.destination_sip_number,
            "trunk": self.destination_sip_trunk,
            "menu": self.destination_menu_id,
            "group": self.destination_group_id,
            "text": self.message_text,
            "voice": self.message_voice,
            "audio": self.message_audio,
        }

    def destination_errors(self, project_id: int | None) -> dict[str, str]:
        """Missing fields of the chosen kind, and references to another project's data."""
        errors = {}
        kind = self.destination_kind
        if kind == DestinationKind.SIP and not self.destination_sip_trunk.strip():
            errors["destination_sip_trunk"] = "Enter the SIP trunk id Stringee shows for the trunk."
        if kind == DestinationKind.SIP and not self.destination_sip_number.strip():
            errors["destination_sip_number"] = "Enter the number or extension to dial on the trunk."
        if kind == DestinationKind.MENU and not self.destination_menu_id:
            errors["destination_menu"] = "Choose the IVR menu."
        if kind == DestinationKind.GROUP and not self.destination_group_id:
            errors["destination_group"] = "Choose the ring group."
        if another_projects(self.destination_group, project_id):
            errors["destination_group"] = "This ring group belongs to another project."
        if another_projects(self.destination_user, project_id):
            errors["destination_user"] = "This app user belongs to another project."
        if another_projects(self.destination_menu, project_id):
            errors["destination_menu"] = "This menu belongs to another project."
        return errors


class CallerIdMixin(models.Model):
    """A caller ID: the number a called phone sees, which must be one the project holds now."""

    caller_id = models.ForeignKey(
        VirtualNumber,
        verbose_name=_("caller ID"),
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="+",
        help_text=_("What a called phone sees; must be a number of this project."),
    )

    class Meta:
        abstract = True

    def caller_id_errors(self, project_id: int | None) -> dict[str, str]:
        if self.caller_id is not None and not self.caller_id.belongs_to(project_id):
            return {"caller_id": f"{self.caller_id} is not a number of this project."}
        return {}

    def caller_id_digits(self, project_id: int | None) -> str | None:
        """The caller ID as an SCCO carries it, or None (none set, or no longer the project's)."""
        if self.caller_id is not None and self.caller_id.belongs_to(project_id):
            return stringee_digits(self.caller_id.number)
        return None
