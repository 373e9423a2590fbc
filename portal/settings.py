"""Django settings for the call-routing portal, read from the environment (12-factor).

Every knob is an environment variable (see `.env.example`); the defaults give a working
local portal on an embedded SQLite file with an in-process cache.
"""

import sys
from pathlib import Path
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# Publicly known, so only ever used where nothing real is at stake (check_production refuses it).
LOCAL_ONLY_KEY = "django-insecure-local-development-key-change-me"
# Only a DEBUG run or the test suite may fall back to a throwaway key: anywhere else a missing
# SECRET_KEY stops the start (sessions and password resets would be forgeable with a known key).
if env.str("SECRET_KEY", default="").strip():
    SECRET_KEY = env("SECRET_KEY")
elif DEBUG or "pytest" in sys.modules:
    SECRET_KEY = LOCAL_ONLY_KEY
else:
    raise ImproperlyConfigured(
        "Set SECRET_KEY to a long random key; it is missing or empty "
        "(or set DEBUG=true for a local run)."
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# HTTPS. Off by default (local runs are plain HTTP); production turns them on (`check --deploy`).
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=False)
# A staff session ends after this many minutes without a request (a request starts the count again,
# at most once a minute: portal.services.sessions), when the password is changed elsewhere, or
# with "Sign out everywhere".
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=60)
if SESSION_IDLE_MINUTES < 1:
    raise ImproperlyConfigured("SESSION_IDLE_MINUTES must be 1 or more.")
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto (and strips it from clients).
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Base of the answer_url / event_url that tenants paste into the Stringee dashboard.
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Base of the call-setup URLs: the answer_url and the IVR, on-fail and ring-group callbacks the
# portal writes into its SCCOs. Point it at a server of its own (PORTAL_POOL=call_setup) so that
# call setup never waits behind events, API or admin traffic (docs/deploy.md, "Call setup's own
# workers"); empty: PUBLIC_BASE_URL, the same server as everything else.
CALL_SETUP_BASE_URL = env("CALL_SETUP_BASE_URL", default="").rstrip("/")
# What this server answers: `all`, or `call_setup` (the call-setup URLs and the health checks
# only; anything else is 404).
PORTAL_POOL = env("PORTAL_POOL", default="all")
if PORTAL_POOL not in ("all", "call_setup"):
    raise ImproperlyConfigured("PORTAL_POOL must be `all` or `call_setup`.")
# Region used to read national-format numbers such as 0901234567.
PHONE_DEFAULT_REGION = env("PHONE_DEFAULT_REGION", default="VN")
# How long a rotated webhook token keeps working, so Stringee can be updated without downtime.
WEBHOOK_TOKEN_GRACE_SECONDS = env.int("WEBHOOK_TOKEN_GRACE_SECONDS", default=24 * 3600)
# Days a released number waits before it can be sold again.
NUMBER_QUARANTINE_DAYS = env.int("NUMBER_QUARANTINE_DAYS", default=30)

INSTALLED_APPS = [
    "portal.apps.PortalAdminConfig",  # Django's admin, with the dashboard as its index page
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and ReDoc served from our own static files
    "axes",
    "django_otp",  # two-factor sign-in for staff (portal/second_factor.py, docs/security.md)
    "django_otp.plugins.otp_totp",  # authenticator apps
    "django_otp.plugins.otp_static",  # recovery codes
    "import_export",  # bulk number import in the admin (docs/admin.md)
    "auditlog",
    "django_tasks",  # background jobs (staff's CSV exports), Django 6's tasks API (docs/deploy.md)
    "django_tasks_db",  # their queue, a table of the portal's own database; `manage.py run_worker`
    "portal",
    "routing",
    "calls",
]

# The paths Stringee calls: the answer_url, the event_url and the callbacks the portal writes into
# its SCCOs. Their errors are JSON, their bodies are bounded (portal.middleware), and they skip
# the middleware that serves people (portal.middleware).
WEBHOOK_PATH_PREFIXES = (
    "/answer_url/",
    "/event_url/",
    "/ivr/",
    "/on_fail/",
    "/ring/",
    "/recording_event/",
)

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware.WebhookTimingMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.middleware.InputBoundsMiddleware",
    "portal.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "portal.middleware.AuthenticationMiddleware",
    "portal.middleware.OTPMiddleware",  # whether this session passed the second factor
    "portal.middleware.SecondFactorMiddleware",  # ...and sends it there when it must
    "portal.middleware.ProjectTimeZoneMiddleware",
    "portal.middleware.AuditMiddleware",  # who changed what, from where (django-auditlog)
    "portal.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Admin logins: after AXES_FAILURE_LIMIT failed attempts for one username from one address, that
# pair is locked out for AXES_COOLOFF_HOURS (django-axes; a success resets the count).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0)
# Two-factor sign-in (docs/security.md): after each wrong code the next try waits twice as long
# as the last, starting at SECOND_FACTOR_THROTTLE_SECONDS (django-otp, per device).
OTP_TOTP_THROTTLE_FACTOR = env.float("SECOND_FACTOR_THROTTLE_SECONDS", default=1.0)
OTP_STATIC_THROTTLE_FACTOR = OTP_TOTP_THROTTLE_FACTOR
# The name authenticator apps show beside the code.
OTP_TOTP_ISSUER = env("SECOND_FACTOR_ISSUER", default="Stringee portal")

ROOT_URLCONF = "portal.urls_call_setup" if PORTAL_POOL == "call_setup" else "portal.urls"
# Where "log in" links lead (the page after an invited colleague has set their password).
LOGIN_URL = "admin:login"

# Invitations to staff (links to set a password) go out by email: `EMAIL_URL` such as
# smtp+tls://user:password@smtp.example.com:587 (default: printed to the console under DEBUG,
# else the SMTP server on localhost). Tests keep them in django.core.mail.outbox.
vars().update(
    env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="portal@localhost")
# How long an invitation's link to set a password works (Django's password-reset token).
PASSWORD_RESET_TIMEOUT = env.int("INVITATION_LINK_SECONDS", default=3 * 24 * 3600)

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "portal.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
# A persistent connection broken by a database restart is replaced at the next request's start.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that does not answer must fail a request in bounded time, not hang a worker:
    # the event_url answers 503 (Stringee retries). libpq's minimum connect timeout is 2 s
    # (a refused connection fails at once).
    _db_options = DATABASES["default"].setdefault("OPTIONS", {})
    _db_options.setdefault("connect_timeout", env.int("DB_CONNECT_TIMEOUT", default=2))
    if _statement_timeout_ms := env.int("DB_STATEMENT_TIMEOUT_MS", default=30_000):
        _db_options.setdefault("options", f"-c statement_timeout={_statement_timeout_ms}")
    # The event_url's one statement per event is prepared on each connection after this many
    # runs of one shape (calls.event_store); every other query binds on the client and is never
    # prepared. Empty: never prepare (a pooler in transaction mode older than PgBouncer 1.21).
    _prepare = env.str("DB_PREPARE_THRESHOLD", default="5")
    _db_options.setdefault(
        "prepare_threshold", env.int("DB_PREPARE_THRESHOLD", default=5) if _prepare else None
    )
# The event_url's whole database work must finish within this many seconds or it answers 503
# (Stringee retries): the bound that holds when the server hangs (portal/webhooks/deadline.py).
WEBHOOK_DATABASE_DEADLINE = env.float("WEBHOOK_DATABASE_DEADLINE", default=0.8)
# The same bound for a management API request (longer: lists and exports read more).
API_DATABASE_DEADLINE = env.float("API_DATABASE_DEADLINE", default=10)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://portal")}
# After a Redis connect error or timeout, each process leaves Redis alone for this many seconds
# (0: never), every cache call a miss at once; then one call asks again
# (portal/ops/redis_breaker.py).
CACHE_DOWN_SECONDS = env.float("CACHE_DOWN_SECONDS", default=5)
if CACHE_DOWN_SECONDS < 0:
    raise ImproperlyConfigured("CACHE_DOWN_SECONDS must be 0 (off) or more.")
if CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache":
    # Redis down or hung reads as a cache miss after at most these timeouts, never an error:
    # webhooks fall back to this worker's copies and the database, the API throttle lets through.
    CACHES["default"].setdefault("OPTIONS", {}).update(
        {
            "SOCKET_CONNECT_TIMEOUT": env.float("CACHE_CONNECT_TIMEOUT", default=0.25),
            "SOCKET_TIMEOUT": env.float("CACHE_SOCKET_TIMEOUT", default=0.25),
            "IGNORE_EXCEPTIONS": True,
            "CONNECTION_POOL_CLASS": "portal.ops.redis_breaker.BreakerConnectionPool",
            "CONNECTION_POOL_KWARGS": {"down_seconds": CACHE_DOWN_SECONDS},
        }
    )
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
# How long a project's routing table may live in the cache; changes invalidate it at once.
ROUTING_CACHE_SECONDS = env.int("ROUTING_CACHE_SECONDS", default=3600)
# How long a worker may keep its own copy of a routing table (0: never). Changes drop the copies
# in every worker at once through Redis; this is only the backstop.
ROUTING_LOCAL_SECONDS = env.int("ROUTING_LOCAL_SECONDS", default=60)
# The ceiling of a worker's copies, in routing rows (a project counts 1 plus its numbers, app
# users, rules, menus, ring groups, …); past it the least recently used project's copy goes.
# Its fresh copies and its last good copies (ROUTING_STALE_SECONDS) have a ceiling each.
ROUTING_LOCAL_MAX_ROWS = env.int("ROUTING_LOCAL_MAX_ROWS", default=200_000)
# The longest the answer_url waits on the database for a project or table it has not cached.
ROUTING_DATABASE_DEADLINE = env.float("ROUTING_DATABASE_DEADLINE", default=0.4)
# While the database cannot be read, a worker routes from its last good copy of a project's
# table if that copy is at most this old (stale-if-error; 0: never).
ROUTING_STALE_SECONDS = env.int("ROUTING_STALE_SECONDS", default=3600)
# After the database failed a routing read, each worker leaves it alone this long wherever a last
# good copy can answer (a project with no copy still asks).
ROUTING_DATABASE_RETRY_SECONDS = env.float("ROUTING_DATABASE_RETRY_SECONDS", default=30)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

# Staff pages and API `detail` texts speak English (the source) or Vietnamese: the language comes
# from the header switcher's cookie, else the browser's Accept-Language (docs/i18n.md).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("vi", "Tiếng Việt")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = env("TIME_ZONE", default="Asia/Ho_Chi_Minh")
USE_I18N = True
USE_TZ = True

# One date format per language (portal/formats/<lang>/formats.py), in the staff user's project
# time zone.
FORMAT_MODULE_PATH = ["portal.formats"]

STATIC_URL = "static/"
# Files the portal keeps (recording copies): never served by a URL of their own.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STATIC_ROOT = BASE_DIR / "staticfiles"
# WhiteNoise serves static files under gunicorn (DEBUG=False) after `manage.py collectstatic`.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    # Staff's CSV exports, written by the worker and downloaded through the admin: a directory
    # that the web servers and the workers share (or any Django storage backend).
    "exports": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env.path("EXPORTS_DIR", default=BASE_DIR / "exports")},
    },
    # The portal's own copies of recordings (projects that keep one, docs/stringee.md): under
    # MEDIA_ROOT/recordings, which no URL serves (staff hear them through the portal's player);
    # or an S3-compatible bucket (django-storages) when RECORDINGS_S3_BUCKET is set.
    "recordings": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": f"{MEDIA_ROOT}/recordings"},
    },
}
if RECORDINGS_S3_BUCKET := env.str("RECORDINGS_S3_BUCKET", default=""):
    # Credentials come from boto3's own environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)
    # or the machine's role; the bucket stays private (files are read by the portal only).
    STORAGES["recordings"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": RECORDINGS_S3_BUCKET,
            "endpoint_url": env.str("RECORDINGS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("RECORDINGS_S3_REGION", default="") or None,
            "location": env.str("RECORDINGS_S3_PREFIX", default="recordings"),
            "default_acl": "private",
            "file_overwrite": False,
        },
    }

# Background jobs: the queue is a table of the portal's database (django-tasks-db), worked by
# `manage.py run_worker` (docs/deploy.md). Tests run tasks at once (conftest.py).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# CSV exports (docs/admin.md): files are removed this many days after they were asked for; a job
# whose worker has given no sign of life for EXPORT_STALLED_SECONDS is given to another worker,
# at most EXPORT_MAX_ATTEMPTS times in all; rows are read EXPORT_BATCH_ROWS at a time.
EXPORT_RETENTION_DAYS = env.int("EXPORT_RETENTION_DAYS", default=7)
EXPORT_STALLED_SECONDS = env.int("EXPORT_STALLED_SECONDS", default=120)
EXPORT_MAX_ATTEMPTS = env.int("EXPORT_MAX_ATTEMPTS", default=3)
EXPORT_BATCH_ROWS = env.int("EXPORT_BATCH_ROWS", default=2000)

# Stringee's REST API (docs/stringee.md): the account's SID and key sign the account token that
# lists numbers and sets where they send calls. With no SID the portal never calls Stringee.
# Every STRINGEE_SYNC_SECONDS the worker reads the account's numbers and sends again the numbers
# Stringee has not taken yet; each request waits at most STRINGEE_CONNECT_TIMEOUT seconds to
# connect and STRINGEE_READ_TIMEOUT for the answer, and is tried STRINGEE_ATTEMPTS times in all
# when Stringee is busy or does not answer.
STRINGEE_API_URL = env.str("STRINGEE_API_URL", default="https://api.stringee.com").rstrip("/")
STRINGEE_ACCOUNT_SID = env.str("STRINGEE_ACCOUNT_SID", default="")
STRINGEE_ACCOUNT_KEY = env.str("STRINGEE_ACCOUNT_KEY", default="")
STRINGEE_SYNC_SECONDS = env.int("STRINGEE_SYNC_SECONDS", default=600)
# Every STRINGEE_CALL_LOG_SECONDS (0: never) the worker reads each project's Stringee call log of
# the last STRINGEE_CALL_LOG_HOURS and closes the gaps the event_url left (calls.reconcile).
STRINGEE_CALL_LOG_SECONDS = env.int("STRINGEE_CALL_LOG_SECONDS", default=900)
STRINGEE_CALL_LOG_HOURS = env.int("STRINGEE_CALL_LOG_HOURS", default=6)
STRINGEE_CONNECT_TIMEOUT = env.float("STRINGEE_CONNECT_TIMEOUT", default=3.0)
STRINGEE_READ_TIMEOUT = env.float("STRINGEE_READ_TIMEOUT", default=10.0)
STRINGEE_ATTEMPTS = env.int("STRINGEE_ATTEMPTS", default=3)
# Seconds before the first retry (doubling each time, at most 10 s).
STRINGEE_RETRY_WAIT = env.float("STRINGEE_RETRY_WAIT", default=1.0)
# How long a web request asking for an outbound call (or a project on Stringee) waits for the
# worker's answer before answering "still waiting" (202); 0: never waits.
STRINGEE_CALLOUT_WAIT = env.float("STRINGEE_CALLOUT_WAIT", default=3.0)
# Recordings (docs/stringee.md, docs/security.md): the portal fetches audio only from the host of
# STRINGEE_API_URL and from these hosts (a leading dot: the domain and every host under it),
# over https; a host matched through a leading dot must resolve to public addresses. Audio
# requests wait at most STRINGEE_RECORDING_CONNECT_TIMEOUT seconds to connect and
# STRINGEE_RECORDING_READ_TIMEOUT between two pieces of audio.
STRINGEE_RECORDING_HOSTS = env.list("STRINGEE_RECORDING_HOSTS", default=[".stringee.com"])
STRINGEE_RECORDING_CONNECT_TIMEOUT = env.float("STRINGEE_RECORDING_CONNECT_TIMEOUT", default=3.0)
STRINGEE_RECORDING_READ_TIMEOUT = env.float("STRINGEE_RECORDING_READ_TIMEOUT", default=10.0)
# Copies of recordings (projects that keep one): a failed copy is tried again by the worker,
# RECORDING_COPY_RETRY_SECONDS after the last try (doubling each time), RECORDING_COPY_ATTEMPTS
# times in all.
RECORDING_COPY_ATTEMPTS = env.int("RECORDING_COPY_ATTEMPTS", default=6)
RECORDING_COPY_RETRY_SECONDS = env.int("RECORDING_COPY_RETRY_SECONDS", default=300)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portal.api.authentication.StringeeJWTAuthentication",
        "portal.api.authentication.ApiKeyAuthentication",
        # A signed-in staff browser: refused (403) until the session passed its second factor.
        "portal.api.authentication.VerifiedSessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    # A view that does not say how it keeps tenants apart is refused (portal.tenancy.permissions).
    "DEFAULT_PERMISSION_CLASSES": ["portal.tenancy.permissions.ScopedViewsOnly"],
    # django-filter's backend, refusing booleans it cannot read and empty or repeated filters.
    "DEFAULT_FILTER_BACKENDS": ["portal.api.filters.StrictFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "portal.errors.api_exception_handler",
    "DEFAULT_THROTTLE_RATES": {"project": env("API_THROTTLE_RATE", default="600/min")},
}

# The audit log of tenant configuration (django-auditlog; see portal/audit.py, docs/audit.md).
AUDITLOG_LOGENTRY_MODEL = "portal.AuditEntry"
AUDITLOG_DISABLE_REMOTE_ADDR = False
# Secrets are hidden whole, not half-masked as auditlog does by default.
AUDITLOG_MASK_CALLABLE = "portal.audit.hide_secret"
# An API key's "last used" time is written at most once per this many seconds.
API_KEY_LAST_USED_EVERY_SECONDS = 60

SPECTACULAR_SETTINGS = {
    "TITLE": "Stringee call-routing portal API",
    "DESCRIPTION": "Manage a Stringee project's numbers, app users, routing rules and calls.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Who an outbound call rings, or connects the answered call to: one enum for both fields.
    "ENUM_NAME_OVERRIDES": {"PartyKindEnum": "portal.models.callouts.PartyKind.choices"},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portal.api.schema.document_shared_errors",
    ],
}

# Webhook tokens are redacted from every record (django.request logs the full path of each 4xx).
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_webhook_tokens": {"()": "portal.webhooks.redaction.RedactWebhookTokens"},
        "skip_redis_marked_down": {"()": "portal.ops.redis_breaker.SkipMarkedDown"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_webhook_tokens"]},
    },
    "loggers": {
        "django.request": {"filters": ["redact_webhook_tokens"]},
        "django.server": {"filters": ["redact_webhook_tokens"]},
        # A cache call refused while Redis is remembered down is a miss like any other; the
        # breaker logs the outage once instead of a traceback per call.
        "django_redis.cache": {"filters": ["skip_redis_marked_down"]},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}

# Operations: probes, Prometheus metrics and the webhook access log (docs/deploy.md).
# /metrics wants `Authorization: Bearer <METRICS_TOKEN>`; without a token only loopback may read it.
METRICS_TOKEN = env("METRICS_TOKEN", default="")
# Stringee projectIds each process labels by id in the per-project counters; the rest are "other".
METRICS_MAX_PROJECTS = env.int("METRICS_MAX_PROJECTS", default=100)
# One JSON line per webhook request on the `portal.webhooks.access` logger (token redacted).
WEBHOOK_ACCESS_LOG = env.bool("WEBHOOK_ACCESS_LOG", default=True)
LOGGING.setdefault("formatters", {})["access_line"] = {
    "()": "portal.ops.access_log.AccessLineFormatter"
}
LOGGING.setdefault("handlers", {})["webhook_access"] = {
    "class": "logging.StreamHandler",
    "formatter": "access_line",
}
LOGGING.setdefault("loggers", {})["portal.webhooks.access"] = {
    "handlers": ["webhook_access"],
    "level": env("WEBHOOK_ACCESS_LOG_LEVEL", default="INFO") if WEBHOOK_ACCESS_LOG else "CRITICAL",
    "propagate": False,
}

# Bulk number import (django-import-export, docs/admin.md): a file imports whole or not at all.
IMPORT_EXPORT_USE_TRANSACTIONS = True
