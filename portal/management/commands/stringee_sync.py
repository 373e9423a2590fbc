"""`manage.py stringee_sync`: read every number of the Stringee account into the inventory now
(what the worker does every STRINGEE_SYNC_SECONDS). One line says what changed; on bad credentials
or no answer it exits with status 1 and one line saying why (docs/stringee.md)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from portal.stringee.client import is_connected
from portal.stringee.errors import StringeeError
from portal.stringee.sync import numbers_sync


class Command(BaseCommand):
    help = (
        "Read every number of the Stringee account (STRINGEE_ACCOUNT_SID) into the inventory: "
        "new numbers are added, numbers missing from Stringee are marked, numbers whose "
        "settings differ on Stringee are shown as such."
    )

    def handle(self, *args, **options):
        if not is_connected():
            raise CommandError(
                _("No Stringee account: set STRINGEE_ACCOUNT_SID and STRINGEE_ACCOUNT_KEY.")
            )
        try:
            record = numbers_sync()
        except StringeeError as exc:
            raise CommandError(
                _("Stringee could not be read: %(reason)s") % {"reason": exc}
            ) from None
        self.stdout.write(
            _(
                "%(seen)d numbers on Stringee: %(added)d added, %(gone)d missing from Stringee, "
                "%(differing)d different on Stringee."
            )
            % {
                "seen": record.numbers_seen,
                "added": record.numbers_added,
                "gone": record.numbers_gone,
                "differing": record.numbers_differing,
            }
        )
