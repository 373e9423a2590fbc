"""`compilemessages` that also works without GNU gettext: `msgfmt` when installed, else the
pure-Python compiler of portal/devtools/message_catalog.py (same `.mo` files)."""

import shutil
from pathlib import Path

from django.conf import settings
from django.core.management.commands import compilemessages

from portal.devtools.message_catalog import compile_catalog


class Command(compilemessages.Command):
    help = "Compile the .po catalogs under LOCALE_PATHS to .mo (msgfmt, or pure Python)."

    def handle(self, **options):
        if shutil.which(self.program):
            return super().handle(**options)
        for locale_dir in settings.LOCALE_PATHS:
            for po_path in sorted(Path(locale_dir).glob("*/LC_MESSAGES/*.po")):
                count = compile_catalog(po_path, po_path.with_suffix(".mo"))
                if options["verbosity"] > 0:
                    self.stdout.write(f"compiled {po_path} ({count} messages, pure Python)")
        return None
