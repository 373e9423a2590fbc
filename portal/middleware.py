"""Every middleware of the portal, in the order settings.MIDDLEWARE runs them; each delegates to the
module of its concept.

- `WebhookTimingMiddleware` times Stringee's webhooks (portal.ops.webhook_health, metrics, the
  access log).
- `InputBoundsMiddleware` refuses input no view can store before it reaches one: a webhook body
  over `portal.webhooks.inputs.MAX_BODY_BYTES` is 413 (Stringee's events are a few hundred
  bytes; a 2.4 MB body was stored whole); a NUL (`%00`) anywhere in the path or the query string
  is 400 (PostgreSQL cannot compare text with a NUL, so an admin filter, an API filter or a
  webhook parameter holding one was a 500); the JSON body of a routing callback (IVR, on-fail,
  ring) is held to the bounds of `portal.webhooks.inputs.check_json` (a body that is not JSON at
  all still reaches the view, which reads it as empty).
- The middleware that serves people (sessions, authentication, the audit context, messages) is
  each library's own class, passing Stringee's webhook paths (`settings.WEBHOOK_PATH_PREFIXES`)
  straight on: the webhook views read no session or user and change no audited configuration.
  Not skipped: `LocaleMiddleware` (the language it activates stays active in the worker's
  thread, so a webhook after a Vietnamese staff page would otherwise answer in Vietnamese), CSRF
  (its view hook runs whatever `__call__` does; webhook views are exempt), and the framing header
  and django-axes, whose system checks want their own classes (each costs next to nothing).
- `SessionMiddleware` is Django's, starting a signed-in session's idle time again at most once a
  minute (portal.services.sessions).
- `OTPMiddleware` (django-otp's) tells whether the session passed its second factor, and
  `SecondFactorMiddleware` sends a signed-in person who owes one (portal.second_factor) to the
  page that takes it, before any other staff page: the code of their authenticator app, or
  setting one up when they must have one and have none. The management API (`/api/v1/`) answers
  such a session itself (403 JSON, portal.api.authentication), since a program's token may come
  with the same request.
- `AuditMiddleware` reads the client address as django-axes does, for the change history.
- `ProjectTimeZoneMiddleware` shows staff pages in the staff member's project time zone.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from auditlog.middleware import AuditlogMiddleware
from django.conf import settings
from django.contrib.auth.middleware import AuthenticationMiddleware as _Authentication
from django.contrib.messages.middleware import MessageMiddleware as _Messages
from django.contrib.sessions.middleware import SessionMiddleware as _Session
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django_otp.middleware import OTPMiddleware as _OTP

from portal.admin.display import SESSION_KEY, staff_time_zone
from portal.errors import JSON_PATH_PREFIXES, error_response
from portal.ops.access_log import log_webhook
from portal.ops.metrics import current_project, observe_webhook
from portal.ops.webhook_health import kind_of, store
from portal.second_factor import Step, refusal_text, step_owed
from portal.services.sessions import session_refresh_if_due
from portal.webhooks.inputs import MAX_BODY_BYTES, InputRefused, loads_bounded
from portal.webhooks.redaction import webhook_parts

WEBHOOK_PREFIXES = settings.WEBHOOK_PATH_PREFIXES
CALLBACK_PREFIXES = ("/ivr/", "/on_fail/", "/ring/")


class WebhookTimingMiddleware:
    """Times webhook requests into `store` (answer_url, event_url), Prometheus and the access log.

    Other paths pass straight through. While a webhook is answered, `current_project`
    (portal.ops.metrics) names its Stringee projectId, so code deeper down (the routing error log)
    can count per project.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        webhook = webhook_parts(request.path)
        if webhook is None:
            return self.get_response(request)
        endpoint, stringee_project_id = webhook
        reset = current_project.set(stringee_project_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
        finally:
            current_project.reset(reset)
        seconds = time.perf_counter() - started
        if (kind := kind_of(endpoint)) is not None:
            store.record(kind, stringee_project_id, seconds * 1000)
        observe_webhook(endpoint, stringee_project_id, response.status_code, seconds)
        log_webhook(request, endpoint, stringee_project_id, response.status_code, seconds)
        return response


class InputBoundsMiddleware:
    """Bounds of what callers send (module docstring); runs before sessions and authentication,
    so it costs no query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            self._check(request)
        except InputRefused as refused:
            if request.path.startswith(JSON_PATH_PREFIXES):
                return error_response(refused.status, refused.code, refused.detail)
            return HttpResponseBadRequest(refused.detail)
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> None:
        if "\x00" in request.path or _has_nul(request.GET):
            raise InputRefused(400, "bad_text", "The URL must not contain NUL characters.")
        if not request.path.startswith(WEBHOOK_PREFIXES) or request.method not in (
            "POST",
            "PUT",
            "PATCH",
        ):
            return
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > MAX_BODY_BYTES or len(request.body) > MAX_BODY_BYTES:
            raise InputRefused(
                413, "body_too_large", f"The body is larger than {MAX_BODY_BYTES} bytes."
            )
        if request.path.startswith(CALLBACK_PREFIXES):
            try:
                loads_bounded(request.body)
            except (ValueError, UnicodeDecodeError):
                return  # not JSON: the callback reads it as an empty body


def _has_nul(params) -> bool:
    return any(
        "\x00" in key or any("\x00" in value for value in values) for key, values in params.lists()
    )


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


class _IdleEndingSession(_Session):
    """Django's session middleware; a signed-in session's idle time starts again at most once a
    minute (portal.services.sessions), so it ends after SESSION_IDLE_MINUTES without requests."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None:
            session_refresh_if_due(session)
        return super().process_response(request, response)


SessionMiddleware = staff_only(_IdleEndingSession)
AuthenticationMiddleware = staff_only(_Authentication)
MessageMiddleware = staff_only(_Messages)
OTPMiddleware = staff_only(_OTP)


class SecondFactorMiddleware:
    """Until a signed-in session has passed the second factor it owes, every staff page sends it
    to the page that takes it (JSON paths answer 403); only those pages, signing out and the
    language switcher stay open."""

    OPEN_PATHS = ("/admin/second-factor/", "/admin/logout/", "/admin/login/", "/i18n/", "/static/")
    CHECKED_PREFIXES = ("/admin/", "/api/")
    API_PREFIX = "/api/v1/"  # answered by the API's own session authentication
    API_PAGES = ("/api/docs/", "/api/redoc/")  # pages for people, under the JSON prefix

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path
        if (
            not path.startswith(self.CHECKED_PREFIXES)
            or path.startswith(self.OPEN_PATHS)
            or path.startswith(self.API_PREFIX)
        ):
            return self.get_response(request)
        step = step_owed(request)
        if step is None:
            return self.get_response(request)
        if path.startswith(JSON_PATH_PREFIXES) and not path.startswith(self.API_PAGES):
            return error_response(403, "second_factor_required", refusal_text())
        name = "admin:second_factor_verify" if step is Step.VERIFY else "admin:second_factor_enrol"
        return HttpResponseRedirect(
            f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}"
        )


class _Audit(AuditlogMiddleware):
    """auditlog's middleware, reading the client address as django-axes does.

    X-Forwarded-For is trusted only behind as many proxies as AXES_PROXY_COUNT says; otherwise
    anyone could write any address into the audit log.
    """

    @staticmethod
    def _get_remote_addr(request):
        proxies = getattr(settings, "AXES_IPWARE_PROXY_COUNT", 0)
        forwarded = [
            part.strip()
            for part in request.headers.get("X-Forwarded-For", "").split(",")
            if part.strip()
        ]
        if proxies and len(forwarded) >= proxies:
            return forwarded[-proxies]
        return request.META.get("REMOTE_ADDR") or None


AuditMiddleware = staff_only(_Audit)


class ProjectTimeZoneMiddleware:
    """Activates the project's time zone on admin pages (remembered in the session)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/admin/") or not request.user.is_authenticated:
            return self.get_response(request)
        zone = request.session.get(SESSION_KEY)
        if zone is None:
            zone = staff_time_zone(request.user) or ""
            request.session[SESSION_KEY] = zone
        if zone:
            timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
