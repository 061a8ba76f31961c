"""Settings for the ECCP factsheets platform, read from the environment (django-environ)."""

import os
from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local checkout keeps DJANGO_DEBUG=1 in .env (made by `make`). A server sets DJANGO_SECRET_KEY in its
# environment: then no file is read, so a leftover .env can never switch a production-like run into debug.
if "DJANGO_SECRET_KEY" not in os.environ:
    environ.Env.read_env(os.environ.get("DJANGO_ENV_FILE", BASE_DIR / ".env"), overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="") or (
    "insecure-development-key-only-for-debug" if DEBUG else ""
)
if not SECRET_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("Set DJANGO_SECRET_KEY (or DJANGO_DEBUG=1 for local development).")

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_countries",
    "crispy_forms",
    "crispy_bootstrap5",
    "import_export",
    "axes",
    "csp",
    "health_check",
    "django_tasks",
    "django_tasks_db",
    "factsheets",
    "editorial",
    "portal",
]

MIDDLEWARE = [
    # Outermost, so that every response carries the policy: those refused by the middleware below (413, a NUL in
    # the address) and the 400 of a host not allowed, raised inside the middleware chain.
    "csp.middleware.CSPMiddleware",
    "config.middleware.RequestSizeLimitMiddleware",
    "config.middleware.NulCharacterMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Live versions' PDFs at a static file's pace: one shared-cache read, none of what follows (sessions, auth, CSRF,
    # axes); anything else, a miss included, goes on (editorial/publishing/downloads.py).
    *(["editorial.publishing.downloads.DownloadMiddleware"] if env.bool("EDITORIAL_DOWNLOAD_FAST_PATH", True) else []),
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

# Background tasks (Django's Tasks API through the django-tasks backport): PDFs are rendered and published by
# workers (`manage.py tasks_worker`). The default backend keeps the queue in the database (django-tasks-db): it
# works on SQLite for `make run` and on PostgreSQL, where workers on several machines take jobs with
# SELECT … FOR UPDATE SKIP LOCKED, and a job is enqueued in the same transaction as the publish decision. A
# broker-based backend (e.g. django-tasks' RQ backend on Redis) is a change of DJANGO_TASKS_BACKEND only.
TASKS = {"default": {"BACKEND": env.str("DJANGO_TASKS_BACKEND", default="django_tasks_db.DatabaseBackend")}}
EDITORIAL_PUBLISH_ATTEMPTS = env.int("EDITORIAL_PUBLISH_ATTEMPTS", default=3)
EDITORIAL_PUBLISH_RETRY_SECONDS = env.list("EDITORIAL_PUBLISH_RETRY_SECONDS", cast=int, default=[10, 60])
EDITORIAL_PUBLISH_STALE_SECONDS = env.int("EDITORIAL_PUBLISH_STALE_SECONDS", default=300)  # a worker died
EDITORIAL_QUEUE_LATE_SECONDS = env.int("EDITORIAL_QUEUE_LATE_SECONDS", default=120)  # health: no worker
# `manage.py tasks_worker` queues again the jobs of killed workers this often (and health reports them meanwhile).
EDITORIAL_WORKER_HOUSEKEEPING_SECONDS = env.int("EDITORIAL_WORKER_HOUSEKEEPING_SECONDS", default=30)
# /health/: anonymous callers get a bare status from checks run at most every HEALTH_CHECK_SECONDS; staff, and
# monitors sending `Authorization: Bearer <DJANGO_HEALTH_TOKEN>`, get each check's detail.
HEALTH_CHECK_SECONDS = env.int("DJANGO_HEALTH_CHECK_SECONDS", default=10)
HEALTH_TOKEN = env.str("DJANGO_HEALTH_TOKEN", default="")
# National validation links: open for EDITORIAL_VALIDATION_DAYS at most, and until the deadline plus the grace days;
# per ten minutes, at most EDITORIAL_VALIDATION_RATE requests per link and EDITORIAL_VALIDATION_FAILURES wrong tokens
# per client address (counted in the "shared" cache).
EDITORIAL_VALIDATION_DAYS = env.int("EDITORIAL_VALIDATION_DAYS", default=30)
EDITORIAL_VALIDATION_GRACE_DAYS = env.int("EDITORIAL_VALIDATION_GRACE_DAYS", default=7)
EDITORIAL_VALIDATION_RATE = env.int("EDITORIAL_VALIDATION_RATE", default=120)  # per link
EDITORIAL_VALIDATION_FAILURES = env.int("EDITORIAL_VALIDATION_FAILURES", default=30)  # wrong tokens per address
# Staff get the first answer to a request at once, then one e-mail with the answers given within this many seconds.
EDITORIAL_VALIDATION_NOTIFY_SECONDS = env.int("EDITORIAL_VALIDATION_NOTIFY_SECONDS", default=900)

# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one user name from one address,
# that pair is locked out for AXES_COOLOFF_TIME; staff unlock it early by deleting its "access attempts" in the
# admin (or `manage.py axes_reset_username NAME`).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "editorial/public/locked_out.html"
# Front proxies (load balancer, nginx) that each append the address they received the request from to
# X-Forwarded-For; 0 when the web server faces the clients. The client's address is read with django-ipware
# (config/clientip.py) for login throttling and the validation links' rate limit.
CLIENT_IP_PROXY_COUNT = env.int("DJANGO_PROXY_COUNT", default=env.int("AXES_PROXY_COUNT", default=0))
AXES_CLIENT_IP_CALLABLE = "config.clientip.client_ip"

# Content Security Policy (django-csp) on every page, the admin included: scripts, styles, fonts and images
# from this site only; no inline scripts (ours are all static files). Inline style attributes are allowed for
# the admin's widgets.
from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

ROOT_URLCONF = "config.urls"

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

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections (a download no longer opens one per request), checked before reuse.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several people on `make run` behave as on PostgreSQL: a transaction takes the write lock when it starts
    # (no "database is locked" when two deferred transactions both try to write), waits up to 20 s for it, and
    # readers never block writers (WAL).
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    })

# Caches. "default" keeps the portal's rendered pages: per process unless DJANGO_CACHE_URL points at a shared one
# (e.g. redis://127.0.0.1:6379/1). "shared" holds what every process must count alike (the validation links'
# rate limit, the health endpoint's last status): the database by default (its table is created by `migrate`),
# or Redis (DJANGO_SHARED_CACHE_URL=redis://…, atomic counts). A per-process cache there fails `check --deploy`.
CACHES = {
    "default": env.cache_url("DJANGO_CACHE_URL", default="locmemcache://"),
    "shared": env.cache_url("DJANGO_SHARED_CACHE_URL", default="dbcache://editorial_shared_cache"),
}
if "redis" not in CACHES["shared"]["BACKEND"]:  # Redis bounds itself (maxmemory); its OPTIONS go to the client
    CACHES["shared"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 50_000)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")
# With a front server (nginx) declared, a download is handed to it: "X-Accel-Redirect" (nginx) or "X-Sendfile"
# (Apache, lighttpd), with the internal location that maps to MEDIA_ROOT (nginx: `location /protected-media/
# { internal; alias <MEDIA_ROOT>/; }`). Empty: Django streams the file itself.
EDITORIAL_SENDFILE_HEADER = env.str("EDITORIAL_SENDFILE_HEADER", default="")
EDITORIAL_SENDFILE_PREFIX = env.str("EDITORIAL_SENDFILE_PREFIX", default="/protected-media/")
STORAGES = {
    # Published PDFs: a directory shared by web servers and workers, or an S3-compatible bucket through
    # django-storages (`pip install "django-storages[s3]"`, DJANGO_MEDIA_STORAGE=storages.backends.s3.S3Storage,
    # the AWS_* variables that package reads).
    "default": {"BACKEND": env.str("DJANGO_MEDIA_STORAGE", default="django.core.files.storage.FileSystemStorage")},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

EMAIL_BACKEND = env.str("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="factsheets@localhost")
# The site's address, e.g. https://factsheets.example.org: workflow e-mails carry absolute links. Required when
# DEBUG is off (system check editorial.E001).
EDITORIAL_SITE_URL = env.str("DJANGO_SITE_URL", default="http://127.0.0.1:8000" if DEBUG else "")

# Open data (portal.opendata): the publisher named in the DCAT-AP catalogue (an EU corporate body) and the address
# data users may write to (the catalogue's contact point points at the /data/ page when none is given).
OPENDATA_PUBLISHER_IRI = env.str("DJANGO_OPENDATA_PUBLISHER_IRI",
                                 default="http://publications.europa.eu/resource/authority/corporate-body/COM")
OPENDATA_PUBLISHER_NAME = env.str("DJANGO_OPENDATA_PUBLISHER_NAME", default="European Commission")
OPENDATA_CONTACT_EMAIL = env.str("DJANGO_OPENDATA_CONTACT_EMAIL", default="")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

LOGIN_URL = "admin:login"

# Production-only hardening, switched on by the environment (DJANGO_DEBUG off).
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 30)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A validation link's token never reaches a log (gunicorn's access log: config/gunicorn.py).
    "filters": {"tokens": {"()": "config.logredact.TokenFilter"}},
    "formatters": {"django.server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}",
                                     "style": "{"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server"},
    },
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="WARNING")},
    "loggers": {
        "django.request": {"filters": ["tokens"]},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False, "filters": ["tokens"]},
    },
}

# Bulk import and export (django-import-export; factsheets/resources.py).
# Formats that read uploads within a fixed budget (factsheets/formats.py); the limits below are per file.
from factsheets.formats import CSV, JSON, XLSX  # noqa: E402

IMPORT_EXPORT_FORMATS = [CSV, XLSX, JSON]
FACTSHEETS_IMPORT_MAX_ROWS = env.int("FACTSHEETS_IMPORT_MAX_ROWS", default=5_000)
FACTSHEETS_IMPORT_MAX_COLUMNS = env.int("FACTSHEETS_IMPORT_MAX_COLUMNS", default=100)
FACTSHEETS_IMPORT_MAX_UNZIPPED_BYTES = env.int("FACTSHEETS_IMPORT_MAX_UNZIPPED_BYTES", default=50 * 1024 * 1024)
FACTSHEETS_IMPORT_MAX_ZIP_RATIO = env.int("FACTSHEETS_IMPORT_MAX_ZIP_RATIO", default=200)
FACTSHEETS_IMPORT_MAX_ZIP_MEMBERS = env.int("FACTSHEETS_IMPORT_MAX_ZIP_MEMBERS", default=100)
FACTSHEETS_IMPORT_MAX_SHARED_STRINGS = env.int("FACTSHEETS_IMPORT_MAX_SHARED_STRINGS", default=200_000)
FACTSHEETS_IMPORT_MAX_XML_ELEMENTS = env.int("FACTSHEETS_IMPORT_MAX_XML_ELEMENTS", default=20_000)
FACTSHEETS_IMPORT_MAX_HEADER_CHARS = env.int("FACTSHEETS_IMPORT_MAX_HEADER_CHARS", default=10_000)
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_ESCAPE_ILLEGAL_CHARS_ON_EXPORT = True  # a backstop: no stored text can hold them (11.11)
FACTSHEETS_IMPORT_MAX_BYTES = env.int("FACTSHEETS_IMPORT_MAX_BYTES", default=5 * 1024 * 1024)

# Request limits: anything larger is refused before its body is read (config/middleware.py); a factsheet's
# admin form, at the capacity below, stays well under them.
FACTSHEETS_MAX_REQUEST_BYTES = env.int("FACTSHEETS_MAX_REQUEST_BYTES", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = FACTSHEETS_MAX_REQUEST_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = FACTSHEETS_IMPORT_MAX_BYTES + 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5_000

# What one factsheet may hold, so that its page stays usable (factsheets/validation.py).
FACTSHEETS_MAX_POLICIES = env.int("FACTSHEETS_MAX_POLICIES", default=12)
FACTSHEETS_MAX_FOOTNOTES = env.int("FACTSHEETS_MAX_FOOTNOTES", default=200)
FACTSHEETS_MAX_REFERENCES = env.int("FACTSHEETS_MAX_REFERENCES", default=300)
FACTSHEETS_MAX_TEXT_CHARS = env.int("FACTSHEETS_MAX_TEXT_CHARS", default=20_000)
