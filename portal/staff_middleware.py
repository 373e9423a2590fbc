"""The middleware that serves people (staff pages and the API), skipped on Stringee's webhooks.

Sessions, authentication, the audit context and messages have nothing to do on a webhook
request: the webhook views read no session or user, and change no audited configuration. Each
class here is its library's own middleware, passing webhook paths
(`settings.WEBHOOK_PATH_PREFIXES`) straight on; everything else gets the library's behaviour
unchanged. That saves about a sixth of a warm answer_url's CPU (BENCHMARKS.md, "What one request
costs the worker").

Not skipped: `LocaleMiddleware` (the language it activates stays active in the worker's thread,
so a webhook after a Vietnamese staff page would otherwise answer in Vietnamese), CSRF (its view
hook runs whatever `__call__` does; webhook views are exempt), and the framing header and
django-axes, whose system checks want their own classes (each costs next to nothing).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.middleware import AuthenticationMiddleware as _Authentication
from django.contrib.messages.middleware import MessageMiddleware as _Messages
from django.contrib.sessions.middleware import SessionMiddleware as _Session

from portal.audit import AuditMiddleware as _Audit


def staff_only(middleware_class: type) -> type:
    """`middleware_class`, bypassed for webhook paths."""

    def __call__(self, request):
        if request.path.startswith(settings.WEBHOOK_PATH_PREFIXES):
            return self.get_response(request)
        return middleware_class.__call__(self, request)

    return type(
        middleware_class.__name__,
        (middleware_class,),
        {"__call__": __call__, "__doc__": f"{middleware_class.__doc__ or ''} (staff only)"},
    )


SessionMiddleware = staff_only(_Session)
AuthenticationMiddleware = staff_only(_Authentication)
AuditMiddleware = staff_only(_Audit)
MessageMiddleware = staff_only(_Messages)
