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

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.middleware import AuthenticationMiddleware as _Authentication
from django.contrib.messages.middleware import MessageMiddleware as _Messages
from django.contrib.sessions.middleware import SessionMiddleware as _Session
from django.http import HttpRequest, HttpResponse

from portal.audit import AuditMiddleware as _Audit


class _PassesWebhooksBy:
    """Placed before a middleware class: webhook paths go straight to the next layer."""

    get_response: Callable[[HttpRequest], HttpResponse]

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        super().__init__(get_response)  # type: ignore[call-arg]  # the middleware's own
        self.webhook_prefixes = settings.WEBHOOK_PATH_PREFIXES  # read once, not per request

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(self.webhook_prefixes):
            return self.get_response(request)
        return super().__call__(request)  # type: ignore[misc]  # the middleware's own


def staff_only(middleware_class: type) -> type:
    """`middleware_class`, bypassed for webhook paths."""
    doc = f"{middleware_class.__doc__ or ''} (staff only)"
    return type(middleware_class.__name__, (_PassesWebhooksBy, middleware_class), {"__doc__": doc})


SessionMiddleware = staff_only(_Session)
AuthenticationMiddleware = staff_only(_Authentication)
AuditMiddleware = staff_only(_Audit)
MessageMiddleware = staff_only(_Messages)
