"""Common Ground settings: one module, every value from the environment, safe defaults.

Development (no environment at all) runs on SQLite under var/ with generated secrets.
Production (PRODUCTION=true) refuses to start without the secrets it needs and turns on every
transport-security setting, so `manage.py check --deploy` is clean.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

import dj_database_url
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("COMMONGROUND_VAR_DIR", BASE_DIR / "var"))


def env(name: str, default: str = "") -> str:
    """A setting from NAME, or from the file named by NAME_FILE (for container secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text().strip()
    # Set but empty (DATABASE_URL= in a Makefile) means "not set".
    return os.environ.get(name) or default


def envbool(name: str, default: bool) -> bool:
    value = env(name, "")
    if value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = env(name, "")
    return int(value) if value.strip() else default


def envlist(name: str, default: list[str]) -> list[str]:
    value = env(name, "")
    if not value.strip():
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


PRODUCTION = envbool("PRODUCTION", False)
DEBUG = envbool("DEBUG", False) and not PRODUCTION


def _development_secrets() -> dict[str, str]:
    """Secrets for a development machine, generated once and kept in var/ (never in git)."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "dev-secrets.json"
    if path.exists():
        return dict(json.loads(path.read_text()))
    generated = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "AUDIT_HMAC_KEY": secrets.token_urlsafe(32),
    }
    path.write_text(json.dumps(generated))
    path.chmod(0o600)
    return generated


def _secret(name: str) -> str:
    value = env(name, "")
    if value:
        return value
    if PRODUCTION:
        raise ImproperlyConfigured(f"{name} must be set when PRODUCTION=true.")
    return _development_secrets()[name]


SECRET_KEY = _secret("SECRET_KEY")
# Confidential fields are encrypted with the first key; every key is tried for reading, so a new
# key goes first and old ones stay until `commonground rotate_keys` has re-encrypted everything.
FIELD_ENCRYPTION_KEYS = [k.strip() for k in _secret("FIELD_ENCRYPTION_KEYS").split(",") if k]
# Keys the audit hash chain, so an entry cannot be rewritten by someone with only database access.
AUDIT_HMAC_KEY = _secret("AUDIT_HMAC_KEY")

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")
SITE_NAME = "Common Ground"
# Set when a reverse proxy in front of the app sets X-Real-IP (see docs/deploy.md). The audit
# log and the sign-in rate limits then see the client's address rather than the proxy's.
TRUST_X_REAL_IP = envbool("TRUST_X_REAL_IP", False)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = "X-Real-IP" if TRUST_X_REAL_IP else None

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Background work (see the HUEY block below).
    "huey.contrib.djhuey",
    "commonground.accounts",
    "commonground.audit",
    "commonground.people",
    "commonground.access",
    "commonground.policies",
    "commonground.obligations",
    "commonground.agreements",
    "commonground.meetings",
    "commonground.notifications",
    "commonground.casework",
    "commonground.resolution",
    "commonground.swgroup",
    "commonground.groups",
    "commonground.joining",
    "commonground.groupsessions",
    "commonground.peers",
    "commonground.web",
    "commonground.api",
    "commonground.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "commonground.web.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "commonground.accounts.middleware.RequireMFAMiddleware",
    "commonground.audit.middleware.AuditContextMiddleware",
]

ROOT_URLCONF = "commonground.urls"
WSGI_APPLICATION = "commonground.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "commonground" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "commonground.web.context_processors.common",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'commonground.sqlite3'}"),
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer writes; IMMEDIATE takes the write lock up front,
    # so two writers queue instead of failing half-way with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    # A file cache is shared by every app process on one machine, so rate limits hold across them.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "account_login"

# Sessions end after an hour without activity, and when the browser closes.
SESSION_COOKIE_AGE = envint("SESSION_IDLE_MINUTES", 60) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# django-allauth: accounts are made by an organisation's admin, never by open sign-up.
ACCOUNT_ADAPTER = "commonground.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_RATE_LIMITS = {
    # Failed sign-ins: 5 per 5 minutes per account, 20 per minute per address.
    "login_failed": env("LOGIN_FAILED_RATE", "20/m/ip,5/5m/key"),
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Common Ground] "
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not PRODUCTION
MFA_TOTP_ISSUER = SITE_NAME
# People whose roles let them see confidential records must sign in with a second factor.
MFA_REQUIRED_FOR_CONFIDENTIAL_ROLES = envbool("MFA_REQUIRED", True)

EMAIL_HOST = env("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = envint("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", True)
else:
    # Without a mail server, mail is printed to the console (the demo shows reset links there).
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Common Ground <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(VAR_DIR / "static")))
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Without collectstatic (development, tests) whitenoise serves straight from the apps' folders.
WHITENOISE_USE_FINDERS = not PRODUCTION

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when PRODUCTION=true.")

# An open obligation is "due soon" (and its reminder goes out) this many days before its date.
OBLIGATION_DUE_SOON_DAYS = envint("OBLIGATION_DUE_SOON_DAYS", 3)

# --- Background work and notifications --------------------------------------------------------
# huey runs the periodic jobs (deliver the outbox, sweep obligations). Embedded default: its queue
# is a SQLite file under var/, no server needed, one `commonground worker` on one machine. With
# REDIS_URL set the queue is in Redis, so several workers on several machines can share it.
# Delivery is safe with any number of workers: rows are claimed with a lease (docs/developers/
# notifications.md). HUEY_IMMEDIATE=true runs tasks in-process (tests only).
HUEY = {
    "name": "commonground",
    "huey_class": "huey.RedisHuey" if REDIS_URL else "huey.SqliteHuey",
    "immediate": envbool("HUEY_IMMEDIATE", False),
    "utc": True,
    "connection": {"url": REDIS_URL}
    if REDIS_URL
    else {"filename": str(VAR_DIR / "huey-queue.sqlite3")},
    "consumer": {"workers": envint("WORKER_THREADS", 2), "worker_type": "thread"},
}
# Text messages: a class with send(*, to, body, idempotency_key) -> provider id. The console
# backend prints them (demo); tests use the locmem backend.
SMS_BACKEND = env("SMS_BACKEND", "commonground.notifications.sms.ConsoleSMSBackend")
# A worker holds the rows it claimed this long; longer than any one send can take.
NOTIFICATION_LEASE_SECONDS = envint("NOTIFICATION_LEASE_SECONDS", 300)
# Retries wait 1, 2, 4, 8... times this, at most NOTIFICATION_RETRY_MAX_SECONDS; then it fails.
NOTIFICATION_MAX_ATTEMPTS = envint("NOTIFICATION_MAX_ATTEMPTS", 6)
NOTIFICATION_RETRY_BASE_SECONDS = envint("NOTIFICATION_RETRY_BASE_SECONDS", 60)
NOTIFICATION_RETRY_MAX_SECONDS = envint("NOTIFICATION_RETRY_MAX_SECONDS", 6 * 3600)
# Seconds an email or text-message provider may take to answer before the attempt fails.
NOTIFICATION_SEND_TIMEOUT = envint("NOTIFICATION_SEND_TIMEOUT", 30)
# Daily digests go out from this hour (London time) onwards, once per person per day.
NOTIFICATION_DIGEST_HOUR = envint("NOTIFICATION_DIGEST_HOUR", 7)

API_PAGE_SIZE_DEFAULT = 50
API_PAGE_SIZE_MAX = 200
NINJA_PAGINATION_PER_PAGE = API_PAGE_SIZE_DEFAULT
NINJA_PAGINATION_MAX_LIMIT = API_PAGE_SIZE_MAX

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
