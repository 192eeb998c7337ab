"""Quartier settings: one module, driven by environment variables.

Development defaults need nothing installed: SQLite, an in-memory channel layer and a local
memory cache. DJANGO_DEBUG is off unless set; without it (production) the start is refused
without its secrets.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from wsgiref.headers import Headers

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from backend.config import QuartierConfig, development_document_key

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return float(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a number, got {value!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


# Off unless asked for: a deployment that forgets the variable must not serve debug pages with
# the development secret. `make run`, `scripts/test` and the benchmarks turn it on.
DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off"
            " (for development, set DJANGO_DEBUG=true)."
        )
    SECRET_KEY = "quartier-development-only-secret-key-not-for-production-use"  # noqa: S105

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",
    # Before the admin: its admin classes show each translated field once per language.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Static files come from whitenoise, under runserver too.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "django_tasks",
    # The package, named in the manager's language on the back office (backend/tasks_app.py).
    "backend.tasks_app.TasksDatabaseConfig",
    "django_htmx",
    "template_partials",
    "csp",
    "backend",
    "catalogue",
    "helpers",
    "academy",
    "bookings",
    "payments",
    "realtime",
    "mobile_api",
    "web",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Every GET answer carries an ETag (a hash of its body); a client that sends it back in
    # If-None-Match gets 304 Not Modified without the body (phones polling their offers).
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Answers to a logged-in user are private: kept by no shared cache (backend/middleware.py).
    "backend.middleware.PrivateAnswersMiddleware",
    # The web app and the admin speak the language stored on a logged-in user
    # (web/middleware.py).
    "web.middleware.UserLanguageMiddleware",
    "backend.middleware.TooManyAttemptsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "backend.urls"
WSGI_APPLICATION = "backend.wsgi.application"
ASGI_APPLICATION = "backend.asgi.application"
# The WebSocket side of the ASGI application (/ws/v1/), named here so that the core does not
# import the app above it.
QUARTIER_WEBSOCKET_APPLICATION = "realtime.routing.websocket_application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Before the apps' own: the back office's base template (backend/templates/admin/) must
        # win over the admin app's, which comes first in INSTALLED_APPS.
        "DIRS": [BASE_DIR / "backend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite is the embedded default. Writers take the lock at BEGIN (IMMEDIATE) so that
# check-then-write sequences such as "is this helper free?" are serialised.
SQLITE_PATH = Path(env_str("QUARTIER_SQLITE_PATH", str(BASE_DIR / "var" / "quartier.sqlite3")))


def _prepare_threshold() -> int | None:
    value = env_str("DATABASE_PREPARE_THRESHOLD", "5")
    if value.lower() == "off":
        return None
    threshold = env_int("DATABASE_PREPARE_THRESHOLD", 5)
    if threshold < 0:
        raise ImproperlyConfigured("DATABASE_PREPARE_THRESHOLD must be 0 or more, or off")
    return threshold


def _database_from_url(url: str) -> dict:
    parts = urlsplit(url)
    if parts.scheme in {"postgis", "postgres", "postgresql", "pgsql"}:
        # PostGIS is used through SQL on the plain PostgreSQL backend: no GDAL needed.
        url = urlunsplit(("postgres", *parts[1:]))
        # Connections are kept for a minute (checked before reuse), so the task worker and the
        # relay do not reconnect for every task and keep their prepared searches (see below).
        # Daphne closes each request's connections at its end (backend/asgi.py).
        config = dj_database_url.parse(
            url,
            conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
            conn_health_checks=True,
        )
        config["ENGINE"] = "django.db.backends.postgresql"
        # Django's own queries bind parameters on the client and are never prepared; the match
        # index's searches (bookings/matching/postgres.py) bind on the server, and psycopg prepares
        # a statement once it has run this many times on a connection, which spares the
        # planning PostGIS's KNN costs each time. "off" behind a transaction-mode pooler that
        # cannot keep prepared statements (PgBouncer before 1.21).
        config.setdefault("OPTIONS", {})["prepare_threshold"] = _prepare_threshold()
        return dict(config)
    if parts.scheme == "sqlite":
        config = dj_database_url.parse(url)
        config.setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
        return dict(config)
    raise ImproperlyConfigured(f"DATABASE_URL scheme {parts.scheme!r} is not supported.")


DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": _database_from_url(DATABASE_URL)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    }
DATABASES["default"].setdefault("TEST", {})
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A test database in a file of its own per test run (the browser tests' server runs in a
    # forked process, which cannot see an in-memory database), in memory-backed /dev/shm where
    # there is one; Django deletes it afterwards.
    _shm = Path("/dev/shm")  # noqa: S108 - a throw-away test database, named per process
    _scratch = _shm if _shm.is_dir() else Path(tempfile.gettempdir())
    DATABASES["default"]["TEST"].setdefault(
        "NAME",
        env_str(
            "QUARTIER_TEST_SQLITE_PATH", str(_scratch / f"quartier-test-{os.getpid()}.sqlite3")
        ),
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "backend.User"

# Every password log-in (API tokens, the back office) is limited: backend/login_limits.py.
AUTHENTICATION_BACKENDS = ["backend.authentication.LimitedModelBackend"]

# The web app's log-in page (the back office has its own).
LOGIN_URL = "web:log-in"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "backend.password_rules.EmailSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Redis: cache and channel layer -----------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("QUARTIER_CACHE_PREFIX", "quartier"),
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # A socket waits for its messages in 5-second blocking pops: the Redis client's
                # read timeout (5 s by default in redis-py 8) must be longer, or every socket
                # idle for 5 seconds fails.
                "hosts": [{"address": REDIS_URL, "socket_timeout": 15}],
                "prefix": env_str("QUARTIER_CHANNEL_PREFIX", "quartier"),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Live updates and push (realtime) ----------------------------------------------------------
# Web Push with VAPID: off while no private key is set. The key is the base64url of the raw
# P-256 private key; the public key (base64url, uncompressed point) is what browsers subscribe
# with. `python -c "from py_vapid import Vapid01 as V; v=V(); v.generate_keys(); ..."` makes a
# pair (see the README).
QUARTIER_VAPID_PRIVATE_KEY = env_str("QUARTIER_VAPID_PRIVATE_KEY")
QUARTIER_VAPID_PUBLIC_KEY = env_str("QUARTIER_VAPID_PUBLIC_KEY")
QUARTIER_VAPID_SUBJECT = env_str("QUARTIER_VAPID_SUBJECT", "mailto:support@quartier.test")
QUARTIER_PUSH_SENDER = env_str("QUARTIER_PUSH_SENDER", "realtime.push.WebPushSender")
QUARTIER_PUSH_TTL_SECONDS = env_int("QUARTIER_PUSH_TTL_SECONDS", 3600)
# Push services are https on a domain name; plain http or a local address only for a local
# test endpoint.
QUARTIER_PUSH_ALLOW_HTTP = env_bool("QUARTIER_PUSH_ALLOW_HTTP", False)
# One socket's client messages: at most this many per 10 seconds, and this many bytes each.
QUARTIER_WS_MESSAGES_PER_10S = env_int("QUARTIER_WS_MESSAGES_PER_10S", 30)
QUARTIER_WS_MAX_FRAME_BYTES = env_int("QUARTIER_WS_MAX_FRAME_BYTES", 8192)

# --- E-mail -----------------------------------------------------------------------------------
# Printed to the console unless an SMTP server is configured (production must configure one:
# sign-ups are confirmed by e-mail).
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Quartier <no-reply@quartier.test>")

# --- Background tasks -------------------------------------------------------------------------
# django-tasks-db stores tasks in the same database, so a task enqueued inside a service's
# transaction commits (or rolls back) together with the state change that asked for it.
TASKS = {
    "default": {
        "BACKEND": env_str("QUARTIER_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "ENQUEUE_ON_COMMIT": False,
    }
}

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("de", "Deutsch"), ("fr", "Français"), ("it", "Italiano"), ("en", "English")]
# Texts stored in the database (the categories' names and descriptions) have a column per
# language (django-modeltranslation, registered in each app's translation.py); a text missing in
# the reader's language is shown in English.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_LANGUAGES = ("de", "fr", "it", "en")
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
TIME_ZONE = "Europe/Zurich"
USE_I18N = True
USE_TZ = True

LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates and times as Switzerland writes them where Django's formats follow another country
FORMAT_MODULE_PATH = ["backend.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
# Whitenoise serves the static files under daphne. In development and tests it finds them in
# the apps (no collectstatic); in production `collectstatic` writes hashed, compressed copies.
WHITENOISE_USE_FINDERS = DEBUG
# ...and looks each file up when asked for it, instead of indexing them all whenever a handler
# starts (which each test client does).
WHITENOISE_AUTOREFRESH = DEBUG
# Files browsers ask at the site's root without being told (/favicon.ico, for a receipt's PDF or
# an API answer), kept a week: their address carries no hash to change when they do.
WHITENOISE_ROOT = BASE_DIR / "web" / "site_root"


def _site_root_caching(headers: Headers, path: str, url: str) -> None:
    if url == "/favicon.ico":
        headers["Cache-Control"] = f"max-age={7 * 24 * 3600}, public"


WHITENOISE_ADD_HEADERS_FUNCTION = _site_root_caching
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- API --------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # One token per signed-in device (backend.devices); both speak the reader's language.
        "mobile_api.authentication.TokenAuthentication",
        "mobile_api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "mobile_api.pagination.Pagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "mobile_api.schema.QuartierAutoSchema",
    "EXCEPTION_HANDLER": "mobile_api.errors.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "mobile_api.parsers.JSONParser",  # refuses deeply nested JSON before parsing it
        "rest_framework.parsers.FormParser",
        "mobile_api.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("QUARTIER_THROTTLE_ANON", "60/min"),
        "user": env_str("QUARTIER_THROTTLE_USER", "600/min"),
        "auth": env_str("QUARTIER_THROTTLE_AUTH", "20/min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Quartier API",
    "DESCRIPTION": (
        "The Quartier API for the phone apps and web clients. Every error answers with "
        '`{"code", "message", "fields"}`: `code` is stable and machine-readable, `fields` maps '
        "an input field to its problems. The messages are in the reader's language: the one "
        "`Accept-Language` asks for (de, fr, it, en), else the logged-in user's "
        "`preferred_language`, else English. Every date-time in an answer has one shape: "
        "RFC 3339 in Swiss time with its UTC offset, always to the microsecond "
        "(`2026-12-03T18:45:00.000000+01:00`), whether it was stamped live or stored to the "
        "minute; send it back as it came (e.g. as a cursor) and nothing is lost."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "HelpRequestStatusEnum": "bookings.models.HelpRequestStatus",
        "BookingStatusEnum": "bookings.models.BookingStatus",
        "OfferStatusEnum": "bookings.models.OfferStatus",
        "ProposalStatusEnum": "bookings.models.ProposalStatus",
        "ActorRoleEnum": "bookings.models.ActorRole",
        "PartyEnum": "bookings.models.Party",
        "ApprovalStatusEnum": "helpers.models.ApprovalStatus",
        "TrainingEventKindEnum": "academy.models.EventKind",
        "LanguageEnum": "backend.models.Language",
        "DeclineReasonEnum": "bookings.models.DeclineReason",
        "CardDeclineReasonEnum": "payments.declines.CardDeclineReason",
        "ExceptionKindEnum": "helpers.models.ExceptionKind",
        "DocumentKindEnum": "helpers.models.HelperDocument.Kind",
        "SafetyCategoryEnum": "bookings.models.SafetyCategory",
        "SafetyOutcomeEnum": "bookings.models.SafetyOutcome",
        "AppealStatusEnum": "helpers.models.AppealStatus",
    },
}

# --- Security ---------------------------------------------------------------------------------
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if not DEBUG else None
X_FRAME_OPTIONS = "DENY"

# The web app's Content-Security-Policy (django-csp): scripts and styles from our own origin
# only, no inline script. The back office and the API docs are Django's and drf-spectacular's
# own pages (with inline scripts of their own): they keep their defaults.
_IMAGE_SOURCES = ["'self'", "data:"]  # and the map's tile server, below
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/", "/api/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": _IMAGE_SOURCES,
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("QUARTIER_LOG_LEVEL", "INFO")},
    "loggers": {
        # Django and daphne attach their own console handlers; let them go through root only,
        # so every line is printed once.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
        "django.channels.server": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "WARNING"},
        # The Stripe SDK says every request and answer at INFO: only its warnings and errors.
        "stripe": {"level": "WARNING"},
    },
}

# --- Quartier ---------------------------------------------------------------------------------
# Quartier's own settings (QUARTIER_* variables), typed and checked: backend/config.py.
QUARTIER = QuartierConfig.from_env()
# The manager's map loads its tiles from the configured tile server.
_IMAGE_SOURCES.append(QUARTIER.map_tile_origin)
if not DEBUG and not (QUARTIER.stripe_secret_key and env_str("QUARTIER_STRIPE_WEBHOOK_SECRET")):
    # Production takes real money: the emulator and its development webhook secret are out.
    raise ImproperlyConfigured(
        "QUARTIER_STRIPE_SECRET_KEY and QUARTIER_STRIPE_WEBHOOK_SECRET must be set when"
        " DJANGO_DEBUG is off (for development, set DJANGO_DEBUG=true)."
    )
if not QUARTIER.document_dir:
    # Beside the database, outside any directory the web server serves.
    QUARTIER = QUARTIER.with_values(document_dir=str(BASE_DIR / "var" / "documents"))
if not QUARTIER.document_key:
    if not DEBUG:
        raise ImproperlyConfigured(
            "QUARTIER_DOCUMENT_KEY must be set when DJANGO_DEBUG is off: applicants' documents"
            " are encrypted with it (make one with: python -c 'from cryptography.fernet import"
            " Fernet; print(Fernet.generate_key().decode())')."
        )
    # Development only: a key derived from the development secret. `manage.py check` says so
    # (helpers.W001), and documents stored with it are unreadable under a real key.
    QUARTIER = QUARTIER.with_values(document_key=development_document_key(SECRET_KEY))
# DRF's throttles find the client as backend.client_address does: behind this many proxies.
REST_FRAMEWORK["NUM_PROXIES"] = QUARTIER.trusted_proxies
