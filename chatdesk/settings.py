"""Django settings for Chatdesk.

Every value that differs between a laptop and production comes from the
environment (README, "Configuration"). Without any environment the project
runs on the embedded default: a SQLite file and an embedded Redis under var/.
"""

from __future__ import annotations

import os

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from chatdesk.env import (
    BASE_DIR,
    VAR_DIR,
    celery_broker_url,
    env_bool,
    env_list,
    redis_url,
)

DEBUG = env_bool("DEBUG", default=not os.environ.get("SECRET_KEY"))

_INSECURE_KEY = "django-insecure-chatdesk-development-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", _INSECURE_KEY)
if not DEBUG and (SECRET_KEY == _INSECURE_KEY or len(SECRET_KEY) < 32):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random string of at least 32 characters when DEBUG is off."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# The public base URL providers call us on (Twilio signs it); empty = from the request.
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "").rstrip("/")
PUBLIC_PORT = os.environ.get("PORT", "8000")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "chatdesk.accounts",
    "contacts",
    "templates_app",
    "queues",
    "chatdesk.inbox",
    "channels_ingest",
    "archive",
    "chatdesk.search",
    "chatdesk.webhooks",
    "chatdesk.realtime",
    "chatdesk.web",
    "chatdesk.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Content-Security-Policy and friends (docs/operations.md: Security).
    "chatdesk.security.SecurityHeadersMiddleware",
    "chatdesk.security.RejectNulInQueryMiddleware",
    # Innermost: public endpoints answer errors as JSON, never Django's debug page.
    "chatdesk.security.PublicJsonErrorsMiddleware",
]

ROOT_URLCONF = "chatdesk.urls"
ASGI_APPLICATION = "chatdesk.asgi.application"
WSGI_APPLICATION = None

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

# --- Database -------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'chatdesk.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let daphne and the Celery worker share the file;
    # IMMEDIATE makes a writer take the lock up front instead of failing on upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not memory, so end-to-end tests can share it with a real daphne process.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and int(
    os.environ.get("DATABASE_POOL_MAX", "0")
):
    # Under ASGI, CONN_MAX_AGE cannot keep connections (each sync view may run on a
    # fresh thread), so every request opened one, a large part of a webhook's time
    # (docs/performance.md). The web process turns it on (chatdesk/asgi.py). Django's pool
    # hands a warm connection to each request, checked on the way out (CONN_HEALTH_CHECKS:
    # psycopg's check), so a backend killed meanwhile is replaced, not handed to a request
    # (tests/foundation/test_pool_check.py).
    if DATABASES["default"]["CONN_MAX_AGE"]:
        # Django refuses a pool with persistent connections only at the first query, so
        # every request would fail (/readyz 503) on a process that started fine.
        raise ImproperlyConfigured(
            "CONN_MAX_AGE and DATABASE_POOL_MAX cannot both be set: web processes pool their "
            "PostgreSQL connections (DATABASE_POOL_MAX, 10 unless set), and Django refuses "
            "persistent connections with a pool. Remove CONN_MAX_AGE (or set it to 0); Celery "
            "workers keep theirs with WORKER_CONN_MAX_AGE. To use CONN_MAX_AGE instead, set "
            "DATABASE_POOL_MAX=0."
        )
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": int(os.environ["DATABASE_POOL_MAX"]),
        "timeout": 10,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["chatdesk.accounts.backends.RoleBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/login/"
# /login/ refuses a username+address after this many failures within the window (seconds).
LOGIN_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "10"))
LOGIN_FAILURE_WINDOW = int(os.environ.get("LOGIN_FAILURE_WINDOW", str(15 * 60)))
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Files ----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
MAX_UPLOAD_BYTES = int(os.environ.get("MAX_UPLOAD_BYTES", str(25 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_UPLOAD_BYTES + 1024 * 1024
# How long a file link sent to a live-chat visitor opens; a reconnect sends fresh ones.
LIVECHAT_LINK_SECONDS = int(os.environ.get("LIVECHAT_LINK_SECONDS", "900"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

_S3_BUCKET = os.environ.get("AWS_STORAGE_BUCKET_NAME")
STORAGES = {
    "default": (
        {"BACKEND": "storages.backends.s3.S3Storage"}
        if _S3_BUCKET
        else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    ),
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# --- Redis: channel layer, Celery broker, cache ---------------------------
REDIS_URL = redis_url()
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [REDIS_URL], "capacity": 1000, "expiry": 60},
    }
}
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
    }
}

CELERY_BROKER_URL = celery_broker_url(REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A worker process keeps its database connection across tasks (chatdesk/celery.py):
# Celery recycles it every CELERY_DB_REUSE_MAX tasks, Django after WORKER_CONN_MAX_AGE
# seconds, and checks it before each task.
CELERY_DB_REUSE_MAX = int(os.environ.get("CELERY_DB_REUSE_MAX", "1000"))
WORKER_CONN_MAX_AGE = int(os.environ.get("WORKER_CONN_MAX_AGE", "300"))
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task not acknowledged within this window is handed to another worker:
# longer than any ring timeout or delivery task may take.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- Outbound delivery and the sweeps (docs/operations.md) ----------
# How long a provider may take to connect, accept the request, and answer (each).
PROVIDER_TIMEOUT_SECONDS = float(os.environ.get("PROVIDER_TIMEOUT_SECONDS", "15"))
# Attempts at a reply before it is marked failed (transient errors only).
DELIVERY_MAX_ATTEMPTS = int(os.environ.get("DELIVERY_MAX_ATTEMPTS", "8"))
# A worker's claim on a reply older than this is taken as lost with the worker, and the
# outbox sweep sends the reply again. It must outlive any live attempt, or a slow but
# alive worker and the sweep would both send: hence the floor (connect, write, read).
DELIVERY_CLAIM_TIMEOUT_SECONDS = float(os.environ.get("DELIVERY_CLAIM_TIMEOUT_SECONDS", "300"))
if DELIVERY_CLAIM_TIMEOUT_SECONDS < 3 * PROVIDER_TIMEOUT_SECONDS:
    raise ImproperlyConfigured(
        "DELIVERY_CLAIM_TIMEOUT_SECONDS must be at least 3 x PROVIDER_TIMEOUT_SECONDS."
    )
# The outbox sweep re-sends replies pending longer than OUTBOX_PENDING_AGE_SECONDS.
OUTBOX_SWEEP_SECONDS = float(os.environ.get("OUTBOX_SWEEP_SECONDS", "30"))
OUTBOX_PENDING_AGE_SECONDS = float(os.environ.get("OUTBOX_PENDING_AGE_SECONDS", "60"))
OFFER_SWEEP_SECONDS = float(os.environ.get("OFFER_SWEEP_SECONDS", "15"))
# An agent whose every inbox socket has been closed this long is set away (and offered
# nothing) until a socket of theirs opens again; the sweep catches timers that were lost.
PRESENCE_GRACE_SECONDS = float(os.environ.get("PRESENCE_GRACE_SECONDS", "60"))
PRESENCE_SWEEP_SECONDS = float(os.environ.get("PRESENCE_SWEEP_SECONDS", "15"))
# How often chats held for a closed queue are checked for its opening (at most this late).
HOURS_SWEEP_SECONDS = float(os.environ.get("HOURS_SWEEP_SECONDS", "30"))
# Taken chats whose absence rule fell due while its timer was lost are reassigned this late.
REASSIGN_SWEEP_SECONDS = float(os.environ.get("REASSIGN_SWEEP_SECONDS", "15"))

CELERY_BEAT_SCHEDULE: dict = {
    # Ring-timeout escalations whose ETA task was lost (docs/architecture.md).
    "escalate-overdue-offers": {"task": "inbox.escalate_overdue", "schedule": OFFER_SWEEP_SECONDS},
    # Replies whose enqueue was lost, Redis down at the wrong moment (docs/architecture.md).
    "resend-pending-replies": {
        "task": "channels_ingest.resend_pending",
        "schedule": OUTBOX_SWEEP_SECONDS,
    },
    "agents-gone": {"task": "inbox.agents_gone_sweep", "schedule": PRESENCE_SWEEP_SECONDS},
    # Chats that came in while their queue was closed ring when it opens.
    "release-held-chats": {"task": "inbox.release_held", "schedule": HOURS_SWEEP_SECONDS},
    "purge-archive": {"task": "archive.purge", "schedule": 24 * 3600.0},
    # Absence handling: reassignments whose timer was lost (docs/architecture.md).
    "reassign-overdue-chats": {
        "task": "inbox.reassign_overdue",
        "schedule": REASSIGN_SWEEP_SECONDS,
    },
}
# How often chats past a service-level due time are marked breached (reads never wait).
SLA_SWEEP_SECONDS = float(os.environ.get("SLA_SWEEP_SECONDS", "30"))
CELERY_BEAT_SCHEDULE["sla-breaches"] = {
    "task": "inbox.sla_breach_sweep",
    "schedule": SLA_SWEEP_SECONDS,
}
# Satisfaction: how long a customer's digit still answers the rating question, and
# the question sent on WhatsApp, Messenger and SMS (empty: the built-in wording).
CSAT_ANSWER_HOURS = int(os.environ.get("CSAT_ANSWER_HOURS", "24"))
CSAT_QUESTION = os.environ.get("CSAT_QUESTION", "")

# --- Outbound webhooks (docs/api.md: Webhooks) ---------------------------------
# Receivers on private, loopback or link-local addresses are refused (when saved and
# before each attempt) unless this is on; on by default only with DEBUG.
WEBHOOK_ALLOW_PRIVATE_URLS = env_bool("WEBHOOK_ALLOW_PRIVATE_URLS", default=DEBUG)
# How long a receiver may take to connect, accept the body, and answer (each).
WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "10"))
# The first retry waits this long; each next one three times longer, plus jitter.
WEBHOOK_RETRY_BASE_SECONDS = float(os.environ.get("WEBHOOK_RETRY_BASE_SECONDS", "10"))
WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("WEBHOOK_MAX_ATTEMPTS", "8"))
# A worker's claim on a delivery older than this is taken as lost with the worker.
WEBHOOK_CLAIM_SECONDS = float(os.environ.get("WEBHOOK_CLAIM_SECONDS", "120"))
if WEBHOOK_CLAIM_SECONDS < 4 * WEBHOOK_TIMEOUT_SECONDS:
    raise ImproperlyConfigured(
        "WEBHOOK_CLAIM_SECONDS must be at least 4 x WEBHOOK_TIMEOUT_SECONDS."
    )
WEBHOOK_SWEEP_SECONDS = float(os.environ.get("WEBHOOK_SWEEP_SECONDS", "30"))
# A Celery queue of their own keeps slow receivers from delaying replies (the worker
# must then consume it too: `-Q celery,<name>`); empty: the default queue.
WEBHOOK_TASK_QUEUE = os.environ.get("WEBHOOK_TASK_QUEUE", "")
# Deliveries whose task was lost with a worker, or never queued.
CELERY_BEAT_SCHEDULE["send-due-webhooks"] = {
    "task": "webhooks.sweep",
    "schedule": WEBHOOK_SWEEP_SECONDS,
}
# Archived chats older than this many days are deleted with their files (0: kept for good).
ARCHIVE_RETENTION_DAYS = int(os.environ.get("ARCHIVE_RETENTION_DAYS", "0"))

# --- REST API ---------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "chatdesk.inbox.api_errors.exception_handler",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "chatdesk.security.PublicJsonNegotiation",
    # Only the token endpoint is throttled (password guessing): "auth" per username and
    # client address, "auth_address" per address alone, loose enough for an office that
    # signs in behind one proxy.
    "DEFAULT_THROTTLE_RATES": {
        "auth": os.environ.get("AUTH_THROTTLE_RATE", "30/minute"),
        "auth_address": os.environ.get("AUTH_ADDRESS_THROTTLE_RATE", "300/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Chatdesk API",
    "DESCRIPTION": "Omnichannel customer-chat desk: conversations, queues, templates, contacts.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI's assets come from the sidecar package, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ConversationStatusEnum": "chatdesk.inbox.models.Status",
        "PresenceEnum": "chatdesk.accounts.models.Presence",
        "DeliveryStatusEnum": "chatdesk.inbox.models.DeliveryStatus",
        "MessageKindEnum": "chatdesk.inbox.models.Message.Kind",
        "ChannelKindEnum": "contacts.models.ChannelKind",
    },
}

# --- Providers (tests and `make run` point these at the loopback emulator) --
WHATSAPP_GRAPH_URL = os.environ.get("WHATSAPP_GRAPH_URL", "https://graph.facebook.com/v25.0")
MESSENGER_GRAPH_URL = os.environ.get("MESSENGER_GRAPH_URL", "https://graph.facebook.com/v25.0")
TWILIO_API_URL = os.environ.get("TWILIO_API_URL", "https://api.twilio.com")
PHONE_DEFAULT_REGION = os.environ.get("PHONE_DEFAULT_REGION", "US")  # numbers typed without +

# --- Live chat: abuse brakes -------------------------------------------------
# Session starts per client address per minute (a page view with the widget is one; a
# reload resumes and counts too). Keyed by address: a visitor has nothing else yet.
LIVECHAT_SESSION_STARTS_PER_MINUTE = int(os.environ.get("LIVECHAT_SESSION_STARTS_PER_MINUTE", "20"))
# Messages per visitor session per window of 10 seconds.
LIVECHAT_MESSAGES_PER_WINDOW = int(os.environ.get("LIVECHAT_MESSAGES_PER_WINDOW", "10"))

# --- Security when DEBUG is off --------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(12 * 3600)))
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Preloading is a promise to browsers that outlives this deployment (removal takes
    # months), so it is the operator's decision: SECURE_HSTS_PRELOAD=1 opts in. Off, the
    # deploy check's reminder (W021) is silenced on purpose, so `check --deploy` stays clean.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    if env_bool("BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
        USE_X_FORWARDED_HOST = True
    # /healthz and /readyz are probed over plain HTTP inside the cluster.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Django's own console handler (DEBUG only) would print each line a second time.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        # daphne's access log already has one line per request, 4xx included; Django's
        # line would repeat it (with a traceback for a PermissionDenied). 5xx stay here.
        "django.request": {"level": "ERROR"},
    },
}

# E-mail (live-chat transcripts): printed to the console unless a backend is configured.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Chatdesk <no-reply@localhost>")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Where the file-based backend (EMAIL_BACKEND=...filebased.EmailBackend) writes mails.
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
# A visitor's transcript e-mails an hour, and how long after an ended chat they may ask.
LIVECHAT_TRANSCRIPTS_PER_HOUR = int(os.environ.get("LIVECHAT_TRANSCRIPTS_PER_HOUR", "5"))
LIVECHAT_TRANSCRIPT_AFTER_END_SECONDS = int(
    os.environ.get("LIVECHAT_TRANSCRIPT_AFTER_END_SECONDS", "86400")
)
