"""Settings for Tiejun. Everything deployment-specific comes from the environment.

Development defaults are safe to run on a laptop; `TIEJUN_PRODUCTION=1` switches on the
production checklist (DEBUG off, secure cookies, HSTS) and requires SECRET_KEY and ALLOWED_HOSTS.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from tiejun.rules.registry import default as rule_default

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("TIEJUN_VAR_DIR", BASE_DIR / "var"))


def envbool(name: str, default: str) -> bool:
    return os.environ.get(name, default).lower() in ("1", "true", "yes", "on")


def envint(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PRODUCTION = envbool("TIEJUN_PRODUCTION", "0")
# Off unless asked for: even the demo must never show a stack trace to a user.
DEBUG = envbool("DEBUG", "0")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set in production")
    SECRET_KEY = "dev-only-insecure-key-change-me-" + "x" * 32

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "tiejun.rules",
    "tiejun.accounts",
    "tiejun.org",
    "tiejun.reminders",
    "tiejun.life",
    "tiejun.jobs",
    "django_tasks",
    "django_tasks_db",
]

# Background work: tasks are rows in the database, run by `manage.py db_worker` (README).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
TIEJUN_JOB_DIR = Path(os.environ.get("TIEJUN_JOB_DIR", VAR_DIR / "jobs"))
TIEJUN_JOB_KEEP_DAYS = envint("TIEJUN_JOB_KEEP_DAYS", 7)

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Sees the redirects of everything below it: session expiry, password policy, the views.
    "tiejun.htmx.HtmxRedirectMiddleware",
    "tiejun.errors.MethodNotAllowedMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "tiejun.accounts.middleware.SessionLimitsMiddleware",
    # Before the password policy: a password alone must not even reach the change-password page.
    "tiejun.accounts.second_factor.AdminSecondFactorMiddleware",
    "tiejun.accounts.middleware.PasswordPolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tiejun.urls"
# Widget templates in tiejun/templates/django/forms/ add Bootstrap's classes to every form.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
WSGI_APPLICATION = "tiejun.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "tiejun" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tiejun.accounts.context.navigation",
                "tiejun.reminders.context.inbox_count",
            ],
        },
    }
]

# SQLite file under var/ by default; PostgreSQL (or a compatible database) with DATABASE_URL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'tiejun.sqlite3'}", conn_max_age=60
    )
}
if not os.environ.get("DATABASE_URL"):
    # var/ is git-ignored, so a fresh checkout lacks it, and SQLite makes no directories.
    (VAR_DIR / "staticfiles").mkdir(parents=True, exist_ok=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside the writer; IMMEDIATE avoids "database is locked" when
        # two transactions both try to upgrade a read lock to a write lock.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
        " PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 600

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.MD5PasswordHasher",  # only so old hashes upgrade at login
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "tiejun.accounts.passwords.ComplexityValidator"},
    {"NAME": "tiejun.accounts.passwords.HistoryValidator"},
]

# Lockout (SECURITY.md item 4): the numbers come from the rules table, overrides included.
AXES_FAILURE_LIMIT = "tiejun.accounts.lockout.failure_limit"
AXES_COOLOFF_TIME = "tiejun.accounts.lockout.cool_off"
# Lock the account, not the address: a whole office often shares one NAT address.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "tiejun.accounts.views.locked_out"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = rule_default("security.session.absolute_hours") * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Django's own CSRF page is in English; ours says the same in Chinese.
CSRF_FAILURE_VIEW = "tiejun.accounts.views.csrf_failure"

# Second factor (TOTP) for the three administrator roles (SECURITY.md item 6). Development may
# switch it off; `check --deploy` refuses that in production (tiejun.accounts.checks).
TIEJUN_REQUIRE_ADMIN_OTP = envbool("TIEJUN_REQUIRE_ADMIN_OTP", "1")
OTP_TOTP_ISSUER = "铁军"
# Addresses of our own reverse proxies: only behind them is X-Forwarded-For believed, for the
# audit trail's IP column and the per-address login rate limit.
TIEJUN_TRUSTED_PROXIES = envlist("TIEJUN_TRUSTED_PROXIES", "")
# Where `manage.py backup` writes when no path is given; keep it off the web server's disk.
TIEJUN_BACKUP_DIR = Path(os.environ.get("TIEJUN_BACKUP_DIR", VAR_DIR / "backups"))
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "1")
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "tiejun" / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "tiejun" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
# Uploads live outside the web root and are served only through permission-checked views.
MEDIA_ROOT = VAR_DIR / "uploads"
UPLOAD_MAX_BYTES = envint("TIEJUN_UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "tiejun",
    }
}
if os.environ.get("REDIS_URL"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
    }

# Personal-data encryption (SECURITY.md item 14). The key never lives in the database.
TIEJUN_DATA_KEYS = os.environ.get("TIEJUN_DATA_KEYS", "")
TIEJUN_DATA_KEY_FILE = os.environ.get("TIEJUN_DATA_KEY_FILE", str(VAR_DIR / "data.key"))

EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "tiejun@localhost")
# The address users reach the site at; links in reminder e-mails start with it.
TIEJUN_SITE_URL = os.environ.get("TIEJUN_SITE_URL", "http://localhost:8000").rstrip("/")

# Lists count their rows up to this many ("共 10,000+ 条" beyond): see tiejun/paging.py.
TIEJUN_LIST_COUNT_CAP = envint("TIEJUN_LIST_COUNT_CAP", 10_000)
# A name search cannot use an index, so it stops counting sooner.
TIEJUN_SEARCH_COUNT_CAP = envint("TIEJUN_SEARCH_COUNT_CAP", 1_000)

# A member export up to this many rows downloads at once (about a second); a bigger one is
# built by the worker while the user watches its progress.
TIEJUN_EXPORT_DIRECT_ROWS = envint("TIEJUN_EXPORT_DIRECT_ROWS", 5_000)
# The home page's member and org counts are this many seconds old at most (tiejun/org/stats.py).
TIEJUN_HOME_NUMBERS_SECONDS = envint("TIEJUN_HOME_NUMBERS_SECONDS", 300)

NINJA_PAGINATION_PER_PAGE = 20
NINJA_PAGINATION_MAX_LIMIT = 200

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "format": '{"time": "%(asctime)s", "level": "%(levelname)s", '
            '"logger": "%(name)s", "message": "%(message)s"}'
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
