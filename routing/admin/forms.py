"""What every routing admin form shares: destination fields, and the services' checks on save."""

from collections.abc import Callable
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext

from portal.models import CallerVoice

URL_FIELDS: dict[type[models.Field], dict[str, Any]] = {models.URLField: {"assume_scheme": "https"}}
# Shows only the fields of the chosen destination kind (and called kind, on-fail...) in the browser.
CONDITIONAL_FIELDS_JS = ["portal/conditional_fields.js"]
DESTINATION_FIELDS = (
    "destination_kind",
    "destination_user",
    "destination_number",
    "destination_sip_trunk",
    "destination_sip_number",
    "destination_menu",
    "destination_group",
    "message_text",
    "message_voice",
    "message_audio",
)


class ServiceCheckedForm(forms.ModelForm):
    """Runs the routing service's check on the object the form would save.

    The API calls the same check, so staff and programs are refused the same things, in the
    same words, each next to the field at fault.
    """

    service_check: ClassVar[Callable[[Any], None]]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in VOICE_FIELDS & self.fields.keys():
            self.fields[name].widget = forms.Select(choices=voice_choices(self.initial.get(name)))
            self.fields[name].help_text = ""

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]  # private in Django, absent from the stubs
        if self.errors:
            return
        try:
            type(self).service_check(self.instance)
        except ValidationError as exc:
            self.add_error(None, exc)


VOICE_FIELDS = {"greeting_voice", "message_voice"}


def voice_choices(current: str | None = None) -> list[tuple[str, str]]:
    """The voices callers may hear, as on the project's page; blank is the project's own voice.
    A voice stored by a program that the list does not name stays offered as it is."""
    choices = [("", gettext("The project's voice"))]
    choices += [(value, str(label)) for value, label in CallerVoice.choices]
    if current and current not in CallerVoice.values:
        choices.append((current, current))
    return choices


def checked_form(check: Callable[[Any], None]) -> type[ServiceCheckedForm]:
    """A ModelForm base class whose validation ends with `check` (a routing service's)."""
    return type("CheckedForm", (ServiceCheckedForm,), {"service_check": staticmethod(check)})


def formset_rows(formset) -> list[dict]:
    """The rows an inline formset ends with, as field values: kept, changed and new ones, without
    the deleted and the blank extra ones. The services write a parent's rows whole from these."""
    rows = []
    # The admin's change message reads these; the rows are rewritten whole, not one by one.
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None) or {}
        if not data or data.get("DELETE") or (form.instance.pk is None and not form.has_changed()):
            continue
        skip = {"id", "DELETE", formset.fk.name}
        rows.append({name: value for name, value in data.items() if name not in skip})
    return rows
