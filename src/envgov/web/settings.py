"""Django settings for envgov.

Every environment variable is read here, once, with its type and default:

  ENVGOV_SECRET_KEY     secret key (required when ENVGOV_PRODUCTION=1)
  ENVGOV_PRODUCTION     1 = production hardening (DEBUG off, secure cookies, HSTS)
  ENVGOV_DEBUG          1 = Django debug pages (default on outside production)
  ENVGOV_ALLOWED_HOSTS  comma-separated host names (default localhost,127.0.0.1)
  ENVGOV_HSTS_SECONDS   HSTS max-age in production (default 31536000; 0 disables)
  ENVGOV_DATA_DIR       where SQLite, uploads and the observation lake live (default ./var)
  ENVGOV_TODAY          pin the ledger's "today" (YYYY-MM-DD) — for demos of a past plan only
  ENVGOV_TRUSTED_PROXY_HEADER  header of the trusted reverse proxy naming the client address
                        (X-Forwarded-For, X-Real-IP); unset = REMOTE_ADDR (no proxy trusted)
  ENVGOV_TRUSTED_PROXY_COUNT   how many trusted proxies append to that header (default 1)
  ENVGOV_REDIS_URL      shared cache (sessions) for several server processes;
                        default: per-process memory
  DATABASE_URL          database URL; default is the embedded SQLite file in ENVGOV_DATA_DIR
  ENVGOV_SQLITE_TIMEOUT seconds a SQLite write waits for another writer before answering 409 (default 20)
  ENVGOV_EMAIL_HOST     SMTP server for notice e-mails; unset = e-mails are printed to the console
  ENVGOV_EMAIL_PORT     SMTP port (default 587)
  ENVGOV_EMAIL_USER     SMTP user name (default none)
  ENVGOV_EMAIL_PASSWORD SMTP password (default none)
  ENVGOV_EMAIL_USE_TLS  1 = STARTTLS (default 1); ENVGOV_EMAIL_USE_SSL 1 = implicit TLS, e.g. port 465
  ENVGOV_EMAIL_FROM     sender address of notice e-mails (default envgov@localhost)
  ENVGOV_UPLOAD_MAX_FILE_BYTES one evidence file or attachment (default 10 MB)
  ENVGOV_MAX_REQUEST_BYTES     a whole request body, files included (default 50 MB) → 413 beyond
  ENVGOV_MAX_IMPORT_BYTES      the same for the monitoring data import page (default 1 GB)
  ENVGOV_MAX_FORM_BYTES        the non-file part of a body: form fields, JSON (default 10 MB) → 413 beyond
  ENVGOV_SITE_URL       the site's public address (https://envgov.example.gov.cn), put in front of the
                        links of e-mails and group-robot messages; unset = links are site paths only
"""
from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


PRODUCTION = _env_bool("ENVGOV_PRODUCTION", False)
DEBUG = _env_bool("ENVGOV_DEBUG", not PRODUCTION)
BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("ENVGOV_DATA_DIR", Path.cwd() / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = os.environ.get("ENVGOV_SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise RuntimeError("ENVGOV_SECRET_KEY must be set in production")
    SECRET_KEY = "dev-only-insecure-key-never-used-in-production"  # noqa: S105 - dev default, refused in prod

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ENVGOV_ALLOWED_HOSTS", "localhost,127.0.0.1").split(",") if h.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # serves its bundled Swagger UI at /api/docs (no CDN)
    "csp",
    "envgov.apps.accounts",
    "envgov.apps.geo",
    "envgov.apps.audit",
    "envgov.apps.plans",
    "envgov.apps.air",
    "envgov.apps.notices",
    "envgov.apps.supervision",
    "envgov.apps.rankings",
    "envgov.apps.water",
    "envgov.apps.emergency",
    "envgov.apps.online",
    "envgov.apps.ecology",
    "envgov.apps.complaints",
    "envgov.apps.circulars",
    "envgov.apps.outlook",
    "envgov.apps.dashboard",
    "envgov.apps.noise",
    "envgov.apps.disclosure",
    "envgov.apps.sources",
    "envgov.apps.projects",
    "envgov.apps.keyareas",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "envgov.web.uploads.BodyLimitMiddleware",  # a too-large body → 413 before anything reads it
    "csp.middleware.CSPMiddleware",  # Content-Security-Policy on every response (CONTENT_SECURITY_POLICY)
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "envgov.apps.accounts.middleware.ForcePasswordChangeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "envgov.web.conflicts.ConflictMiddleware",  # last: a write conflict in a view → the 409 page
]

ROOT_URLCONF = "envgov.web.urls"
WSGI_APPLICATION = "envgov.web.wsgi.application"

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
                "django.template.context_processors.i18n",
                "envgov.apps.accounts.context.user_scope",
                "envgov.apps.accounts.context.demo_clock",
                "envgov.apps.accounts.context.owed_badge",
                "envgov.apps.notices.context.unread_notices",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'envgov.sqlite3'}",
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Every transaction.atomic() block starts with BEGIN IMMEDIATE: it takes the write lock at once, waiting
    # up to `timeout` seconds for another writer, instead of reading first and failing at once with
    # "database is locked" when it tries to write (a deferred transaction cannot wait for the upgrade).
    # What still collides answers 409 (envgov.web.conflicts).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": int(os.environ.get("ENVGOV_SQLITE_TIMEOUT", "20")), "transaction_mode": "IMMEDIATE"})

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = DEBUG  # dev and tests serve straight from the app folders; production collects
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "media/"
# Uploads (envgov.web.uploads): a file above FILE_UPLOAD_MAX_MEMORY_SIZE is spooled to disk while read;
# ENVGOV_UPLOAD_MAX_FILE_BYTES caps one evidence file or attachment (plan documents 30 MB and ledger Excel
# 5 MB have their own); ENVGOV_MAX_REQUEST_BYTES caps a whole request body (ENVGOV_MAX_IMPORT_BYTES for
# the monitoring data import, whose files are large) and DATA_UPLOAD_MAX_MEMORY_SIZE its non-file part
# (form fields, JSON): beyond either → 413.
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("ENVGOV_MAX_FORM_BYTES", str(10 * 1024 * 1024)))
ENVGOV_UPLOAD_MAX_FILE_BYTES = int(os.environ.get("ENVGOV_UPLOAD_MAX_FILE_BYTES", str(10 * 1024 * 1024)))
ENVGOV_MAX_REQUEST_BYTES = int(os.environ.get("ENVGOV_MAX_REQUEST_BYTES", str(50 * 1024 * 1024)))
ENVGOV_MAX_IMPORT_BYTES = int(os.environ.get("ENVGOV_MAX_IMPORT_BYTES", str(1024 * 1024 * 1024)))
# The observation lake: a local folder, or any fsspec location (s3://bucket/lake, hdfs://…; docs/deploy.md).
OBSERVATION_LAKE = os.environ.get("ENVGOV_LAKE") or DATA_DIR / "lake"
ENVGOV_TODAY = os.environ.get("ENVGOV_TODAY") or None

# Notice e-mail: SMTP when ENVGOV_EMAIL_HOST is set, else printed to the console (tests use locmem).
EMAIL_HOST = os.environ.get("ENVGOV_EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("ENVGOV_EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("ENVGOV_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("ENVGOV_EMAIL_PASSWORD", "")
    EMAIL_USE_SSL = _env_bool("ENVGOV_EMAIL_USE_SSL", False)
    EMAIL_USE_TLS = _env_bool("ENVGOV_EMAIL_USE_TLS", not EMAIL_USE_SSL)
    EMAIL_TIMEOUT = 10
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("ENVGOV_EMAIL_FROM", "envgov@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ENVGOV_SITE_URL = os.environ.get("ENVGOV_SITE_URL", "").rstrip("/")
NOTICE_WEBHOOK_TIMEOUT = 5  # seconds; a group robot that does not answer is logged and skipped

REDIS_URL = os.environ.get("ENVGOV_REDIS_URL", "")
CACHES = {"default": (
    {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL} if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "envgov"}
)}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
AUTHENTICATION_BACKENDS = ["envgov.apps.accounts.backends.ScopedModelBackend"]

# Sign-in throttling (/login/, /admin/login/, API tokens): the policy numbers are in envgov.rules.security.
# The client address is REMOTE_ADDR unless a reverse proxy in front is trusted to name it: then set the
# header it writes (e.g. X-Forwarded-For or X-Real-IP) and how many trusted proxies stand in front.
ENVGOV_TRUSTED_PROXY_HEADER = os.environ.get("ENVGOV_TRUSTED_PROXY_HEADER", "").strip()
ENVGOV_TRUSTED_PROXY_COUNT = int(os.environ.get("ENVGOV_TRUSTED_PROXY_COUNT", "1"))

CSRF_FAILURE_VIEW = "envgov.web.errors.csrf_failure"  # in Chinese, in the site's layout

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # HTMX reads the token from the cookie-less meta tag; keep default
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy (django-csp) on every page: scripts only from our own static files (no inline
# script, no eval, no CDN); styles from our files plus inline style attributes, which ECharts tooltips,
# the Django admin and the API's Swagger UI write; images from the site and data:/blob: (chart export,
# phone photo previews); nothing may frame the site, and forms post to it only.
from csp.constants import NONE, SELF, UNSAFE_INLINE  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = _env_bool("ENVGOV_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("ENVGOV_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("ENVGOV_HSTS_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = _env_bool("ENVGOV_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
