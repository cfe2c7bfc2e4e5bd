"""Settings for Shaoguan Whistle, read from the environment (12-factor).

Every knob a deployment may turn is an environment variable listed in the README;
the defaults give the embedded set-up of ``make run``: SQLite in the project folder,
Celery running tasks eagerly, a local-memory cache.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from kombu import Exchange, Queue

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# The development key is published here: with it `manage.py` commands (migrate, collectstatic,
# the generators, the tests) run without a SECRET_KEY, and Django's `django-insecure-` prefix
# makes `check --deploy` flag it (security.W009). A process that serves without DEBUG — WSGI,
# ASGI, `runserver`, a Celery worker or beat — refuses to start on it, or on any key in
# PUBLISHED_SECRET_KEYS (shaoguan/serving.py).
DEV_SECRET_KEY = "django-insecure-shaoguan-whistle-development-only-key-published-in-the-repository"
PUBLISHED_SECRET_KEYS = frozenset({DEV_SECRET_KEY, "insecure-dev-key-change-me-in-production-0123456789"})
SECRET_KEY = env.str("SECRET_KEY", default="") or DEV_SECRET_KEY
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Served over HTTPS behind a proxy (production): redirect plain HTTP, send cookies only over
# HTTPS, and ask browsers to remember it (HSTS). The proxy must set X-Forwarded-Proto and strip
# any the client sent. Off by default so `make run` and the tests speak plain HTTP.
HTTPS = env.bool("HTTPS", default=False)
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=30 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading binds the whole registered domain in every browser for months; it is the
        # domain owner's decision (hstspreload.org), not a default, so its reminder is silenced.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    # Docker's and the load balancer's health checks call the container over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

INSTALLED_APPS = [
    "core.admin_app.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "core",
    "accounts",
    "notifications",
    "grids",
    "reporting",
    "orders",
    "rankings",
    "portal",
]

MIDDLEWARE = [
    # First, so every log line of the request (and every job it queues) carries its id.
    "core.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.AuditOriginMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "shaoguan.urls"

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
                "notifications.context_processors.unread",
            ],
        },
    },
]

WSGI_APPLICATION = "shaoguan.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Seconds a connection is kept for the next request of the same thread (0: one per request).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = DATABASES["default"]["CONN_MAX_AGE"] > 0
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server read while a command writes; a busy timeout instead of
    # "database is locked" when two writers meet.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )

# A connection pooler between Django and PostgreSQL. PgBouncer in transaction mode hands each
# transaction whichever server connection is free, so nothing may outlive a transaction on the
# server: no server-side cursors (``.iterator()`` would DECLARE one), no prepared statements
# (psycopg 3 prepares a query run five times on its connection; PgBouncer before 1.21, as in
# Debian 12, cannot follow them), and a kept connection checked before reuse (PgBouncer may have
# been restarted).
POOLERS = ("", "pgbouncer")


def database_for_pooler(database: dict, pooler: str) -> dict:
    """``database`` (a DATABASES entry) set up to run through ``pooler`` ("" = none)."""
    if pooler not in POOLERS:
        raise ImproperlyConfigured(f"DATABASE_POOLER must be one of {', '.join(p or '(empty)' for p in POOLERS)}")
    if not pooler:
        return database
    if database["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_POOLER=pgbouncer needs a PostgreSQL DATABASE_URL")
    options = {**database.get("OPTIONS", {}), "prepare_threshold": None}
    # CONN_MAX_AGE is left as it is: a connection kept open is one to PgBouncer, not a server's.
    return {**database, "OPTIONS": options, "DISABLE_SERVER_SIDE_CURSORS": True, "CONN_HEALTH_CHECKS": True}


DATABASE_POOLER = env.str("DATABASE_POOLER", default="")
DATABASES["default"] = database_for_pooler(DATABASES["default"], DATABASE_POOLER)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
# Chinese for the few admin strings Django's own catalogue has not translated yet.
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Static files with content hashes in their names (cached for a year by browsers and nginx) and
# pre-compressed, once `collectstatic` has written them and their manifest: on by default without
# DEBUG, which is how production runs. A name missing from the manifest is an error when a page
# renders, so the test suite, which never runs collectstatic, turns it off (tests/conftest.py);
# `make run` runs collectstatic before it serves.
STATIC_MANIFEST = env.bool("STATIC_MANIFEST", default=not DEBUG)
# Without the manifest WhiteNoise serves straight from static/ (no collectstatic needed).
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
# Uploaded files (request photos): on local disk (MEDIA_ROOT, a volume nginx serves) or in an
# S3-compatible bucket (Aliyun OSS, Tencent COS, MinIO, AWS), whose URLs are signed by default.
MEDIA_STORAGE = env.str("MEDIA_STORAGE", default="local")
if MEDIA_STORAGE == "local":
    _media = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif MEDIA_STORAGE == "s3":
    _media = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
            # Empty keys leave boto3 to find credentials itself (its environment, an instance role).
            "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "addressing_style": env.str("AWS_S3_ADDRESSING_STYLE", default="") or None,
            "custom_domain": env.str("AWS_S3_CUSTOM_DOMAIN", default="") or None,
            "location": env.str("AWS_LOCATION", default=""),
            # Residents' photos are personal data: links expire unless the bucket is made public.
            "querystring_auth": env.bool("AWS_QUERYSTRING_AUTH", default=True),
            "querystring_expire": env.int("AWS_QUERYSTRING_EXPIRE", default=3600),
            "file_overwrite": False,
            "default_acl": None,
        },
    }
else:
    raise ImproperlyConfigured(f"MEDIA_STORAGE must be 'local' or 's3', not {MEDIA_STORAGE!r}")
# XLSX downloads (core.downloads) are kept for a day in a private storage of their own, outside
# MEDIA_ROOT and STATIC_ROOT, so no web server path reaches them: only the view that checks the
# owner and the scope hands a file out, itself or through nginx's X-Accel-Redirect.
PROTECTED_ROOT = Path(env.str("PROTECTED_ROOT", default=str(BASE_DIR / "protected")))
EXPORTS_STORAGE = env.str("EXPORTS_STORAGE", default="local")
if EXPORTS_STORAGE == "local":
    _exports = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        # Files readable by nginx (another user, in its own container): the volume itself is
        # reached only through nginx's internal location.
        "OPTIONS": {"location": PROTECTED_ROOT / "exports", "file_permissions_mode": 0o644},
    }
elif EXPORTS_STORAGE == "s3":
    if MEDIA_STORAGE != "s3":
        raise ImproperlyConfigured("EXPORTS_STORAGE=s3 uses the bucket of MEDIA_STORAGE=s3; set both")
    _exports = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **_media["OPTIONS"],
            "location": "/".join(p for p in (env.str("AWS_LOCATION", default=""), "private-exports") if p),
            "querystring_auth": True,
            "default_acl": "private",
        },
    }
else:
    raise ImproperlyConfigured(f"EXPORTS_STORAGE must be 'local' or 's3', not {EXPORTS_STORAGE!r}")
# With nginx in front (the compose stack): the file view answers X-Accel-Redirect to this internal
# location, which maps to PROTECTED_ROOT/exports (deploy/nginx.conf), and nginx sends the file.
EXPORTS_X_ACCEL_REDIRECT = env.bool("EXPORTS_X_ACCEL_REDIRECT", default=False)
EXPORTS_X_ACCEL_PREFIX = env.str("EXPORTS_X_ACCEL_PREFIX", default="/protected/exports/")
# How long a built XLSX is kept (and a job listed under 我的下载), and where it is written first.
EXPORT_KEEP_HOURS = env.int("EXPORT_KEEP_HOURS", default=24)
EXPORT_TMP_DIR = env.str("EXPORT_TMP_DIR", default="")
STORAGES = {
    "default": _media,
    "exports": _exports,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Django itself serves MEDIA_ROOT at MEDIA_URL (uploaded photos) in DEBUG or with this on, which
# only `make run` does; a deployment has its web server serve them (`check --deploy` warns).
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=False)

# --- Redis, cache and Celery -------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
# How long a cache operation (and /healthz, and the worker's heartbeat) waits for Redis.
REDIS_CACHE_TIMEOUT_SECONDS = env.float("REDIS_CACHE_TIMEOUT_SECONDS", default=0.5)
if REDIS_URL:
    # Redis down must cost little and fail nothing: the cache answers as an empty one while Redis
    # cannot be reached (core/cache.py), after at most half a second per operation.
    CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "socket_connect_timeout": REDIS_CACHE_TIMEOUT_SECONDS,
                "socket_timeout": REDIS_CACHE_TIMEOUT_SECONDS,
            },
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"
    CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
# Publishing after a commit (core/tasks.py) gives up quickly when the broker is down, instead of
# holding the request for seconds: one retry after 0.1 s, a one-second connect timeout. What was
# not queued is found again by a sweep (notifications: sweep-undelivered-notifications).
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0.1, "interval_step": 0.1, "interval_max": 0.1}
CELERY_BROKER_CONNECTION_TIMEOUT = 1.0
# A message taken but not acknowledged (acks_late) goes back to the queue after the visibility
# timeout: it must exceed the longest hard time limit below (the boards', 25 min) and the longest
# retry countdown, or a long job would be run twice at once.
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1.0, "visibility_timeout": 3600}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 1.0
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Queues, so that a slow nightly rebuild never holds up a notification: `boards` (the rankings'
# and the cockpit's rebuilds), `notifications` (delivery through outside channels), `exports`
# (long downloads built in the background: any task named `export_…`), `adjustment` (solving a
# 调剂 round: 10–30 s and up to 1 GB for the whole city, time limits 120/150 s on the task, so it
# never holds a reminder up) and `default` (everything else: the purges, reminders, widening,
# no-shows). A worker started without -Q consumes all five; the README says how to give a queue
# workers of its own.
CELERY_TASK_DEFAULT_QUEUE = "default"
# Each queue with an exchange and a routing key of its own (the layout of Celery's routing guide),
# so that each binding names one queue, whatever sends to it.
CELERY_TASK_QUEUES = [
    Queue(name, Exchange(name), routing_key=name)
    for name in ("default", "boards", "exports", "notifications", "adjustment")
]
CELERY_TASK_ROUTES = {
    "rankings.tasks.*": {"queue": "boards"},
    "rankings.cockpit.tasks.*": {"queue": "boards"},
    "notifications.tasks.*": {"queue": "notifications"},
    "*.export_*": {"queue": "exports"},
    "grids.tasks.solve_adjustment_round": {"queue": "adjustment"},
}
# Every task is stopped after these many seconds: at the soft limit it gets SoftTimeLimitExceeded
# (its transaction rolls back), at the hard one its process is killed. The periodic jobs take
# seconds; longer ones (the rebuilds, delivery) set their own limits on the task.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
# Where beat remembers when each job last ran (a volume in docker-compose.yml, so a restart
# neither skips nor repeats a run).
CELERY_BEAT_SCHEDULE_FILENAME = env.str("CELERY_BEAT_SCHEDULE_FILENAME", default="celerybeat-schedule")
# A worker writes a key in Redis this often, living three times as long; /healthz reads it.
WORKER_HEARTBEAT_SECONDS = env.int("WORKER_HEARTBEAT_SECONDS", default=15)
# The beat schedule lives here, in one place, as code.
CELERY_BEAT_SCHEDULE = {
    "purge-expired-sign-in-codes": {
        "task": "accounts.tasks.purge_expired_codes",
        "schedule": crontab(minute=17, hour=3),
    },
    "purge-dead-device-tokens": {
        "task": "accounts.tasks.purge_dead_tokens",
        "schedule": crontab(minute=27, hour=3),
    },
    "coarsen-old-checkin-locations": {
        "task": "reporting.tasks.coarsen_checkins",
        "schedule": crontab(minute=37, hour=3),
    },
    "purge-import-uploads": {
        "task": "grids.tasks.purge_import_uploads",
        "schedule": crontab(minute=57, hour=3),
    },
    "purge-request-lookups": {
        "task": "orders.tasks.purge_request_lookups",
        "schedule": crontab(minute=47, hour=3),
    },
    "autoclose-resolved-requests": {
        "task": "orders.tasks.autoclose_requests",
        "schedule": crontab(minute=40, hour=2),
    },
    "mark-overdue-escalations": {
        "task": "orders.tasks.mark_overdue_escalations",
        "schedule": crontab(minute=5),
    },
    "widen-unfilled-tasks": {
        "task": "orders.tasks.widen_unfilled_tasks",
        "schedule": crontab(minute=25),
    },
    "send-task-reminders": {
        "task": "orders.tasks.send_task_reminders",
        "schedule": crontab(minute="*/10"),
    },
    "auto-checkout-acceptances": {
        "task": "orders.tasks.auto_checkout_acceptances",
        "schedule": crontab(minute="3-59/10"),
    },
    "mark-no-show-acceptances": {
        "task": "orders.tasks.mark_no_shows",
        "schedule": crontab(minute="7-59/30"),
    },
    "sweep-undelivered-notifications": {
        "task": "notifications.tasks.sweep_undelivered",
        "schedule": crontab(minute="*/5"),
    },
    # 01:00 in TIME_ZONE (Asia/Shanghai): the five boards over the data up to midnight.
    "rebuild-boards": {
        "task": "rankings.tasks.rebuild_boards",
        "schedule": crontab(minute=0, hour=1),
    },
    # 评星定级: every member's stars for the year, over the data up to midnight.
    "recompute-member-stars": {
        "task": "rankings.tasks.recompute_member_stars",
        "schedule": crontab(minute=40, hour=1),
    },
    # Monday 09:30: members behind the year's hours pace or without this quarter's visit
    # (at most one reminder a member a week, however often it runs).
    "send-quota-reminders": {
        "task": "portal.tasks.send_quota_reminders",
        "schedule": crontab(minute=30, hour=9, day_of_week="mon"),
    },
    # Daily 09:10, acting from a month before the quarter ends (once per community and quarter):
    # the secretaries' lists of members not yet reported this quarter.
    "send-quarter-unreported-lists": {
        "task": "portal.tasks.send_quarter_lists",
        "schedule": crontab(minute=10, hour=9),
    },
    # XLSX downloads past their day: files deleted, jobs marked expired; jobs whose message was
    # lost queued again.
    "sweep-export-jobs": {
        "task": "core.tasks.sweep_export_jobs",
        "schedule": crontab(minute="4-59/10"),
    },
    # The cockpit's figures for the city, each district and each street, for yesterday.
    "rebuild-cockpit": {
        "task": "rankings.cockpit.tasks.rebuild_cockpit",
        "schedule": crontab(minute=20, hour=1),
    },
}

# Sessions live in the database alone. With ``cached_db`` a sign-out or a session flushed while
# Redis was unreachable left the old copy in Redis, and that copy signed the user in again once
# Redis came back; one primary-key read per page request is the price.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- API --------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "accounts.authentication.DeviceTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PARSER_CLASSES": [
        "core.api.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.api.Pagination",
    "DEFAULT_SCHEMA_CLASS": "core.schema.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "code_ip": env.str("THROTTLE_CODE_IP", default="20/hour"),
        "code_phone": env.str("THROTTLE_CODE_PHONE", default="5/hour"),
        "token_ip": env.str("THROTTLE_TOKEN_IP", default="60/hour"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # How many proxies of ours append to X-Forwarded-For (nginx in the compose stack: 1); unset,
    # the header is not believed and the per-address limits see REMOTE_ADDR (accounts/throttles.py).
    "NUM_PROXIES": env.int("NUM_PROXIES", default=None),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "韶关社区吹哨报到平台 API",
    "DESCRIPTION": "居民点单、社区下单、党员接单：H5 页面与微信小程序共用的接口。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "kind"; name each choice set after its model.
    "ENUM_NAME_OVERRIDES": {
        "DistrictKindEnum": "grids.models.District.Kind",
        "StreetKindEnum": "grids.models.Street.Kind",
        "CommunityKindEnum": "grids.models.Community.Kind",
        "GridKindEnum": "grids.models.Grid.Kind",
        "UnitKindEnum": "grids.models.Unit.Kind",
        "MemberKindEnum": "grids.models.Member.Kind",
        "AdjustmentRoundStatusEnum": "grids.models.AdjustmentRound.Status",
        "AdjustmentMoveStatusEnum": "grids.models.AdjustmentMove.Status",
        "TaskVisibilityEnum": "orders.models.Task.Visibility",
        "TaskPublicVisibilityEnum": "orders.models.Task.PUBLIC_VISIBILITIES",
    },
}

# --- Sign-in ----------------------------------------------------------------
# Dotted path of the class that delivers one-time codes: the default writes them to the log;
# accounts.sms.TencentCodeSender and accounts.sms.AliyunCodeSender send them by SMS.
SMS_CODE_SENDER = env.str("SMS_CODE_SENDER", default="accounts.sms.LogCodeSender")
# The demo's shortcut: the sign-in page and `POST auth/code/` show the code just sent. Anyone
# could then sign in as anyone, so `check --deploy` refuses it; `make run` turns it on.
SIGNIN_SHOW_CODE = env.bool("SIGNIN_SHOW_CODE", default=False)
SIGNIN_CODE_TTL_SECONDS = env.int("SIGNIN_CODE_TTL_SECONDS", default=300)
SIGNIN_CODE_MAX_ATTEMPTS = env.int("SIGNIN_CODE_MAX_ATTEMPTS", default=5)
SIGNIN_CODE_RESEND_SECONDS = env.int("SIGNIN_CODE_RESEND_SECONDS", default=60)
WECHAT_API_BASE = env.str("WECHAT_API_BASE", default="https://api.weixin.qq.com")
WECHAT_APPID = env.str("WECHAT_APPID", default="")
WECHAT_SECRET = env.str("WECHAT_SECRET", default="")
WECHAT_TIMEOUT_SECONDS = env.float("WECHAT_TIMEOUT_SECONDS", default=5.0)
WECHAT_BIND_TICKET_SECONDS = env.int("WECHAT_BIND_TICKET_SECONDS", default=600)
# An API token (one per signed-in device) dies after this many days without use; each use
# moves its expiry this far ahead again.
TOKEN_IDLE_DAYS = env.int("TOKEN_IDLE_DAYS", default=30)
# However often it is used, a token dies this many days after issue; the device signs in again.
TOKEN_MAX_DAYS = env.int("TOKEN_MAX_DAYS", default=180)

# --- Registration (报到) ------------------------------------------------------
# A member may self-select a community within this distance of home or work,
# or any community paired with their unit.
REGISTRATION_REACH_KM = env.float("REGISTRATION_REACH_KM", default=15.0)

# --- Adjustment (调剂) ------------------------------------------------------------
# The costs of the min-cost flow that proposes an adjustment round (grids.adjustment_solver;
# README, "Adjustment"). All integers, in cost units.
ADJUSTMENT_METRES_PER_UNIT = env.int("ADJUSTMENT_METRES_PER_UNIT", default=100)  # 1 unit per 100 m
ADJUSTMENT_RANK_COST = env.int("ADJUSTMENT_RANK_COST", default=10)  # per step below the first choice
ADJUSTMENT_UNCHOSEN_COST = env.int("ADJUSTMENT_UNCHOSEN_COST", default=40)  # a community not chosen
ADJUSTMENT_PAIRING_BONUS = env.int("ADJUSTMENT_PAIRING_BONUS", default=20)  # paired with the unit
ADJUSTMENT_MOVE_COST = env.int("ADJUSTMENT_MOVE_COST", default=50)  # moving someone who has a community
ADJUSTMENT_OVER_PENALTY = env.int("ADJUSTMENT_OVER_PENALTY", default=100)  # per member above need
ADJUSTMENT_UNDER_PENALTY = env.int("ADJUSTMENT_UNDER_PENALTY", default=100)  # per member below need
ADJUSTMENT_UNPLACED_PENALTY = env.int("ADJUSTMENT_UNPLACED_PENALTY", default=10_000)  # left unplaced
ADJUSTMENT_CANDIDATES = env.int("ADJUSTMENT_CANDIDATES", default=20)  # nearest communities per member

# --- Service requests (点单) and the joint meeting (联席会议) -------------------
# A resolved request the resident neither confirms nor rates is closed after this many days.
REQUEST_AUTOCLOSE_DAYS = env.int("REQUEST_AUTOCLOSE_DAYS", default=7)
# "Is this yours?": open requests of the same duty this close and this recent.
REQUEST_DUPLICATE_RADIUS_M = env.int("REQUEST_DUPLICATE_RADIUS_M", default=200)
REQUEST_DUPLICATE_DAYS = env.int("REQUEST_DUPLICATE_DAYS", default=7)
REQUEST_PHOTO_MAX_COUNT = 3
REQUEST_PHOTO_MAX_BYTES = env.int("REQUEST_PHOTO_MAX_BYTES", default=5 * 1024 * 1024)
REQUEST_PHOTO_MAX_SIDE = env.int("REQUEST_PHOTO_MAX_SIDE", default=2048)
# A resident's phone and address stay visible to the community and the members who served
# this many days after the request closes (PIPL: no longer than the purpose needs).
REQUEST_CONTACT_VISIBLE_DAYS = env.int("REQUEST_CONTACT_VISIBLE_DAYS", default=7)
ESCALATION_DEFAULT_DAYS = env.int("ESCALATION_DEFAULT_DAYS", default=7)
# How often one person may order, take and give back work (fairness; 429 with Retry-After beyond).
REQUESTS_PER_DAY = env.int("REQUESTS_PER_DAY", default=10)
ACCEPTS_PER_HOUR = env.int("ACCEPTS_PER_HOUR", default=10)
WITHDRAWALS_PER_HOUR = env.int("WITHDRAWALS_PER_HOUR", default=5)
LIKES_PER_DAY = env.int("LIKES_PER_DAY", default=20)
# How often one person may look for requests near a point and try to follow one: both reveal
# requests, so a client must not sweep the city with them (README explains the numbers).
NEARBY_LOOKUPS_PER_HOUR = env.int("NEARBY_LOOKUPS_PER_HOUR", default=60)
JOINS_PER_DAY = env.int("JOINS_PER_DAY", default=10)

# --- Tasks (下单/吹哨) and acceptances (接单) --------------------------------------------
# A member may withdraw freely until this many hours before the start; later is recorded as late.
ACCEPT_WITHDRAW_CUTOFF_HOURS = env.int("ACCEPT_WITHDRAW_CUTOFF_HOURS", default=2)
# A task nobody takes for this long opens to paired units' members, and after as long again to the city.
TASK_WIDEN_AFTER_HOURS = env.int("TASK_WIDEN_AFTER_HOURS", default=24)

# --- The duty ledger (签到、服务时长、报到) ------------------------------------------
QUOTA_HOURS_PER_YEAR = env.int("QUOTA_HOURS_PER_YEAR", default=20)
# The kinds of member the quota applies to (and whom the weekly reminders and the quarter lists
# name): the article's 三八八 — a visit a quarter, 20 hours a year — is for in-service members.
QUOTA_MEMBER_KINDS = env.list("QUOTA_MEMBER_KINDS", default=["in_service"])
# Working hours of a working day (Asia/Shanghai), spans "HH:MM-HH:MM" separated by commas: only
# service outside them counts toward the quota. Working days: chinese-calendar plus the admin's
# 工作日调整 table (reporting.workdays).
WORKING_HOURS = env.str("WORKING_HOURS", default="09:00-17:00")
# 评星定级: what each of the 2nd to 5th star needs in a year, "hours/quarters/outcomes/likes" per
# star separated by commas: hours outside working hours, quarters with a report-for-duty visit,
# outcomes (requests solved), likes. Each star needs at least what the one below needs
# (rankings.stars; a system check refuses thresholds that do not increase).
STAR_THRESHOLDS = env.str("STAR_THRESHOLDS", default="10/2/0/0,20/4/1/1,40/4/3/5,60/4/6/10")
# A correction may raise a record only up to its check-in window; without a check-in, to this.
RECORD_MAX_MINUTES_WITHOUT_CHECKIN = env.int("RECORD_MAX_MINUTES_WITHOUT_CHECKIN", default=240)
# How early before a task starts a member may check in.
CHECKIN_EARLY_MINUTES = env.int("CHECKIN_EARLY_MINUTES", default=30)
# Raw check-in coordinates are kept this long, then coarsened (PIPL: no longer than needed).
LOCATION_RETENTION_DAYS = env.int("LOCATION_RETENTION_DAYS", default=180)

# --- Notifications ------------------------------------------------------------
# Dotted paths of the channels every notification goes out through (besides the inbox).
NOTIFICATION_CHANNELS = env.list("NOTIFICATION_CHANNELS", default=["notifications.channels.LogChannel"])
NOTIFICATION_MAX_RETRIES = env.int("NOTIFICATION_MAX_RETRIES", default=5)
NOTIFICATION_TIMEOUT_SECONDS = env.float("NOTIFICATION_TIMEOUT_SECONDS", default=5.0)
# Notifications no channel has a delivery row for, older than this and younger than the horizon,
# are queued again by the sweep (their message was lost, e.g. the broker was down).
NOTIFICATION_SWEEP_AFTER_MINUTES = env.int("NOTIFICATION_SWEEP_AFTER_MINUTES", default=10)
NOTIFICATION_SWEEP_HORIZON_HOURS = env.int("NOTIFICATION_SWEEP_HORIZON_HOURS", default=24)
# WeChat subscribe messages (订阅消息): the template's id and the page a tap opens.
WECHAT_SUBSCRIBE_TEMPLATE_ID = env.str("WECHAT_SUBSCRIBE_TEMPLATE_ID", default="")
WECHAT_SUBSCRIBE_PAGE = env.str("WECHAT_SUBSCRIBE_PAGE", default="pages/index/index")
WECHAT_MINIPROGRAM_STATE = env.str("WECHAT_MINIPROGRAM_STATE", default="formal")
# A notification's SMS carries its title, cut to this many characters (a template variable's limit).
SMS_NOTIFY_TITLE_MAX_CHARS = env.int("SMS_NOTIFY_TITLE_MAX_CHARS", default=20)

# --- SMS providers (core/sms_providers.py; README, "Sending SMS") -----------------------
# How long one call to the provider may take, connecting and answering, in seconds.
SMS_TIMEOUT_SECONDS = env.float("SMS_TIMEOUT_SECONDS", default=5.0)
# Tencent Cloud SMS: a CAM key, the SMS application's SdkAppId, the approved signature's text,
# the code template ({1} code, {2} minutes) and the notification template ({1} title).
TENCENT_SMS_SECRET_ID = env.str("TENCENT_SMS_SECRET_ID", default="")
TENCENT_SMS_SECRET_KEY = env.str("TENCENT_SMS_SECRET_KEY", default="")
TENCENT_SMS_SDK_APP_ID = env.str("TENCENT_SMS_SDK_APP_ID", default="")
TENCENT_SMS_SIGN_NAME = env.str("TENCENT_SMS_SIGN_NAME", default="")
TENCENT_SMS_CODE_TEMPLATE_ID = env.str("TENCENT_SMS_CODE_TEMPLATE_ID", default="")
TENCENT_SMS_NOTIFY_TEMPLATE_ID = env.str("TENCENT_SMS_NOTIFY_TEMPLATE_ID", default="")
TENCENT_SMS_REGION = env.str("TENCENT_SMS_REGION", default="ap-guangzhou")
TENCENT_SMS_ENDPOINT = env.str("TENCENT_SMS_ENDPOINT", default="sms.tencentcloudapi.com")
# Alibaba Cloud SMS: a RAM user's AccessKey, the approved signature's name, the code template
# (${code}, ${minutes}) and the notification template (${title}).
ALIYUN_SMS_ACCESS_KEY_ID = env.str("ALIYUN_SMS_ACCESS_KEY_ID", default="")
ALIYUN_SMS_ACCESS_KEY_SECRET = env.str("ALIYUN_SMS_ACCESS_KEY_SECRET", default="")
ALIYUN_SMS_SIGN_NAME = env.str("ALIYUN_SMS_SIGN_NAME", default="")
ALIYUN_SMS_CODE_TEMPLATE_CODE = env.str("ALIYUN_SMS_CODE_TEMPLATE_CODE", default="")
ALIYUN_SMS_NOTIFY_TEMPLATE_CODE = env.str("ALIYUN_SMS_NOTIFY_TEMPLATE_CODE", default="")
ALIYUN_SMS_ENDPOINT = env.str("ALIYUN_SMS_ENDPOINT", default="dysmsapi.aliyuncs.com")

# --- Rankings (排行榜) ---------------------------------------------------------------
# Score = hours × w_hours + services × w_services + outcomes × w_outcomes + likes × w_likes
# (rankings/scoring.py); only confirmed service hours count. Each weight is a whole number of at
# least 1, read as text here and checked by rankings (system check rankings.E001), which names
# the variable when it is not.
RANKING_WEIGHTS = {
    "hours": env.str("RANKING_WEIGHT_HOURS", default="1"),
    "services": env.str("RANKING_WEIGHT_SERVICES", default="2"),
    "outcomes": env.str("RANKING_WEIGHT_OUTCOMES", default="5"),
    "likes": env.str("RANKING_WEIGHT_LIKES", default="1"),
}
# A Web-Mercator tile URL ({z}/{x}/{y}, optional {s}) drawn behind the cockpit's map of
# communities, e.g. Tianditu's; empty = the vector map alone. Community points are WGS-84.
COCKPIT_TILE_URL = env.str("COCKPIT_TILE_URL", default="")

# --- Logs ------------------------------------------------------------------------------------
# One line per record on stderr, with the request's id (core/request_id.py) on each: plain text,
# or with LOG_FORMAT=json (the compose stack's default) one JSON object a line for a log shipper.
# The Celery worker and beat log through this too (shaoguan/celery.py).
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be 'text' or 'json', not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.request_id.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",  # ISO 8601 in UTC
            "json_ensure_ascii": False,
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
