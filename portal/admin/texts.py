"""Django admin texts that Django's own Vietnamese catalog leaves in English.

Listed here only so that `makemessages` puts them into locale/vi/LC_MESSAGES/django.po, where
the portal translates them; the project's catalog (LOCALE_PATHS) wins over Django's. Nothing
imports this module.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

DJANGO_ADMIN_TEXTS = [
    ngettext_lazy("Please correct the error below.", "Please correct the errors below.", 1),
    gettext_noop("Change %(name)s"),
    gettext_noop("By %(filter_title)s"),
    gettext_noop("Toggle theme (current theme: auto)"),
    gettext_noop("Toggle theme (current theme: light)"),
    gettext_noop("Toggle theme (current theme: dark)"),
    gettext_noop("Authentication credentials were not provided."),
]
