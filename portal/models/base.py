"""What every model of the portal's apps may build on: CHECK rules shown as field errors, the
audio a caller may be played."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# What Stringee's `play` takes: a file uploaded to Stringee, or an http(s) link (as in routing).
validate_audio_file = RegexValidator(
    r"^(https?://\S+|[\w .()-]+\.(mp3|wav))$",
    _("Enter the name of a file uploaded to Stringee (e.g. closed.mp3) or an http(s) link."),
)


class CheckedInPython(models.Model):
    """A model whose CHECK constraints are also field validators or `clean()` rules.

    The database constraints stay the guarantee; forms and services show the same rules as
    field errors without one query per constraint, so only unique constraints (which need the
    database) are validated by `validate_constraints`.
    """

    class Meta:
        abstract = True

    def validate_constraints(self, exclude=None):
        errors: dict = {}
        for constraint in self._meta.constraints:
            if not isinstance(constraint, models.UniqueConstraint):
                continue
            try:
                constraint.validate(type(self), self, exclude=exclude)
            except ValidationError as exc:
                for name, messages in exc.update_error_dict({}).items():
                    errors.setdefault(name, []).extend(messages)
        if errors:
            raise ValidationError(errors)
