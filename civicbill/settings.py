"""Django settings for civicbill.

Everything that differs between a laptop, CI and a city's server comes from the environment:

- ``DATABASE_URL``: ``sqlite:///path`` (default ``var/civicbill.sqlite3``) or ``postgresql://user@host/db``.
- ``CIVICBILL_SECRET_KEY``: required when ``CIVICBILL_DEBUG`` is off.
- ``CIVICBILL_DEBUG``: ``1`` for development (default), ``0`` in production.
- ``CIVICBILL_TIME_ZONE``: the utility's time zone (default America/Los_Angeles).
- ``CIVICBILL_ALLOWED_HOSTS``: comma-separated host names.
- HTTPS: ``CIVICBILL_BEHIND_TLS_PROXY``, ``CIVICBILL_CSRF_TRUSTED_ORIGINS``, ``CIVICBILL_HTTPS``,
  ``CIVICBILL_SSL_REDIRECT``, ``CIVICBILL_HSTS_SECONDS``, ``CIVICBILL_HSTS_INCLUDE_SUBDOMAINS``,
  ``CIVICBILL_HSTS_PRELOAD`` (docs/deployment.md describes each).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CIVICBILL_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = os.environ.get("CIVICBILL_DEBUG", "1") == "1"
_DEV_SECRET_KEY = "civicbill-development-key-not-for-production-use-0123456789abcdef"  # noqa: S105
SECRET_KEY = os.environ.get("CIVICBILL_SECRET_KEY", _DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    # one line, not a traceback: civicbill.cli and civicbill.wsgi print it and stop
    raise ImproperlyConfigured(
        "CIVICBILL_SECRET_KEY must be set when CIVICBILL_DEBUG=0 (a long random string; docs/deployment.md)"
    )


def _env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _env_flag(name: str, default: bool) -> bool:
    return os.environ.get(name, "1" if default else "0").strip().lower() in ("1", "true", "yes", "on")


ALLOWED_HOSTS = _env_list("CIVICBILL_ALLOWED_HOSTS", "127.0.0.1,localhost")

# HTTPS (docs/deployment.md). Behind a TLS-terminating proxy that sets X-Forwarded-Proto, Django must
# be told to trust that header, or it sees plain HTTP and refuses every POST's origin.
CIVICBILL_HTTPS = _env_flag("CIVICBILL_HTTPS", not DEBUG)
if _env_flag("CIVICBILL_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# e.g. https://billing.example.gov (scheme included), needed when the proxy's host differs
CSRF_TRUSTED_ORIGINS = _env_list("CIVICBILL_CSRF_TRUSTED_ORIGINS")
SECURE_SSL_REDIRECT = CIVICBILL_HTTPS and _env_flag("CIVICBILL_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the proxy's health check may call plain HTTP on localhost
SECURE_HSTS_SECONDS = int(os.environ.get("CIVICBILL_HSTS_SECONDS", "31536000" if CIVICBILL_HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_flag("CIVICBILL_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = _env_flag("CIVICBILL_HSTS_PRELOAD", False)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]  # preload is the city's choice

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",  # serves Swagger UI's files from static/ninja, so /api/docs works without internet
    "django_tasks",
    "django_tasks_db",
    "civicbill.core",
    "civicbill.customers",
    "civicbill.ledger",
    "civicbill.meters",
    "civicbill.workorders",
    "civicbill.rates",
    "civicbill.billing",
    "civicbill.payments",
    "civicbill.correspondence",
    "civicbill.autopay",
    "civicbill.collections",
    "civicbill.web",
    "civicbill.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "civicbill.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "civicbill.core.middleware.IdleTimeoutMiddleware",
    "civicbill.core.middleware.PasswordChangeRequiredMiddleware",
    "civicbill.core.middleware.LoginRequiredEverywhereMiddleware",
    "civicbill.core.middleware.ControlCharacterMiddleware",
]

ROOT_URLCONF = "civicbill.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "civicbill.core.context_processors.civicbill",
                "civicbill.web.context_processors.moratorium_banner",
            ],
        },
    },
]

WSGI_APPLICATION = "civicbill.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'civicbill.sqlite3'}"),
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        # temp_store=MEMORY: a statement on a table with triggers keeps a statement journal, in a
        # temporary file by default (~19 µs per inserted row; ADR 0007)
        # recursive_triggers=ON: INSERT OR REPLACE fires the append-only tables' DELETE triggers
        # (without it SQLite deletes the conflicting row silently; civicbill/core/append_only.py)
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA temp_store=MEMORY; PRAGMA recursive_triggers=ON;"
        ),
    }
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-civicbill.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 10  # one working day
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
SESSION_COOKIE_SECURE = CIVICBILL_HTTPS
CSRF_COOKIE_SECURE = CIVICBILL_HTTPS

# Login lockout: this many failures for one user name within the window locks it for the window.
CIVICBILL_LOGIN_MAX_FAILURES = int(os.environ.get("CIVICBILL_LOGIN_MAX_FAILURES", "5"))
CIVICBILL_LOGIN_LOCKOUT_MINUTES = int(os.environ.get("CIVICBILL_LOGIN_LOCKOUT_MINUTES", "15"))
# Signed-in pages: a session idle this long is signed out (sliding: every request restarts the clock).
CIVICBILL_IDLE_TIMEOUT_MINUTES = int(os.environ.get("CIVICBILL_IDLE_TIMEOUT_MINUTES", "30"))
# API tokens last this many days unless made for fewer (at most the maximum).
CIVICBILL_API_TOKEN_DAYS = int(os.environ.get("CIVICBILL_API_TOKEN_DAYS", "90"))
CIVICBILL_API_TOKEN_MAX_DAYS = int(os.environ.get("CIVICBILL_API_TOKEN_MAX_DAYS", "365"))
# Content-Security-Policy of every answer: no inline scripts (civicbill.js handles data-* attributes);
# inline style attributes are allowed.
CIVICBILL_CONTENT_SECURITY_POLICY = os.environ.get(
    "CIVICBILL_CONTENT_SECURITY_POLICY",
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-src 'self'; frame-ancestors 'self'; form-action 'self'; "
    "base-uri 'self'; object-src 'none'",
)

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "civicbill" / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("CIVICBILL_TIME_ZONE", "America/Los_Angeles")
# The utility's own zone: service periods, due dates and accounting dates are dates here.
CIVICBILL_TIME_ZONE = TIME_ZONE
# Holidays observed by the business office (python-holidays country and subdivision).
CIVICBILL_HOLIDAY_COUNTRY = "US"
CIVICBILL_HOLIDAY_SUBDIVISION = "CA"

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"

TASKS = {
    "default": {
        "BACKEND": os.environ.get("CIVICBILL_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CIVICBILL_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

NINJA_PAGINATION_PER_PAGE = 50

# Read validation (issue: meters). High/low: against the average daily use of the last 12 months.
CIVICBILL_READ_HIGH_PERCENT = int(os.environ.get("CIVICBILL_READ_HIGH_PERCENT", "150"))
CIVICBILL_READ_LOW_PERCENT = int(os.environ.get("CIVICBILL_READ_LOW_PERCENT", "50"))
CIVICBILL_READ_MAX_CONSECUTIVE_ESTIMATES = int(
    os.environ.get("CIVICBILL_READ_MAX_CONSECUTIVE_ESTIMATES", "3")
)

# Missing reads at billing (issue 13): "estimate" - a billing run tried this many days or more after a
# cycle's read day gives a water service point still without an accepted read for the period an
# estimated read (the bill says so; the next actual read trues up); "hold" - the bill is held with a
# missing_read exception. docs/user-guide/billing-run.md.
CIVICBILL_MISSING_READ_POLICY = os.environ.get("CIVICBILL_MISSING_READ_POLICY", "estimate").strip().lower()
CIVICBILL_MISSING_READ_ESTIMATE_AFTER_DAYS = int(
    os.environ.get("CIVICBILL_MISSING_READ_ESTIMATE_AFTER_DAYS", "5")
)

# Who the bills and letters come from, and what a bill says about paying (docs/bills.md, "Paying
# and asking"). The defaults are the demo city's. CIVICBILL_REMIT_ADDRESS: the remittance (lockbox)
# address printed in the #9 return envelope's window, its lines separated by "|".
CIVICBILL_UTILITY_NAME = os.environ.get("CIVICBILL_UTILITY_NAME", "City of Coachella Utility Billing")
CIVICBILL_UTILITY_ADDRESS = os.environ.get(
    "CIVICBILL_UTILITY_ADDRESS", "1515 Sixth Street, Coachella, CA 92236"
)
CIVICBILL_UTILITY_PHONE = os.environ.get("CIVICBILL_UTILITY_PHONE", "(760) 555-0100")
CIVICBILL_REMIT_NAME = os.environ.get("CIVICBILL_REMIT_NAME", CIVICBILL_UTILITY_NAME)
CIVICBILL_REMIT_ADDRESS = os.environ.get("CIVICBILL_REMIT_ADDRESS", "PO Box 2370|Coachella, CA 92236-2370")
CIVICBILL_PAY_ONLINE = os.environ.get("CIVICBILL_PAY_ONLINE", "coachella.example.org/pay")
CIVICBILL_PAY_PHONE = os.environ.get("CIVICBILL_PAY_PHONE", "(760) 555-0199")
CIVICBILL_OFFICE_HOURS = os.environ.get("CIVICBILL_OFFICE_HOURS", "Monday to Thursday, 7 a.m. to 6 p.m.")
CIVICBILL_OFFICE_HOURS_ES = os.environ.get(
    "CIVICBILL_OFFICE_HOURS_ES", "de lunes a jueves, de 7 a. m. a 6 p. m."
)
CIVICBILL_DROP_BOX = os.environ.get(
    "CIVICBILL_DROP_BOX", "City Hall parking lot, 1515 Sixth Street (open 24 hours)"
)
CIVICBILL_DROP_BOX_ES = os.environ.get(
    "CIVICBILL_DROP_BOX_ES", "estacionamiento del Ayuntamiento, 1515 Sixth Street (24 horas)"
)

# Autopay by ACH (issue 6): the city's origination settings, checked at start-up by the system check
# in civicbill/autopay/checks.py (an error names the setting). Values stay text here so that a bad
# one is reported by name instead of failing the import. docs/autopay.md describes each one.
CIVICBILL_ACH_COMPANY_NAME = os.environ.get("CIVICBILL_ACH_COMPANY_NAME", "CITY COACHELLA")
CIVICBILL_ACH_COMPANY_ID = os.environ.get("CIVICBILL_ACH_COMPANY_ID", "1956000123")
CIVICBILL_ACH_ODFI_ROUTING = os.environ.get("CIVICBILL_ACH_ODFI_ROUTING", "121042882")
CIVICBILL_ACH_IMMEDIATE_DESTINATION = os.environ.get("CIVICBILL_ACH_IMMEDIATE_DESTINATION", "121042882")
CIVICBILL_ACH_IMMEDIATE_DESTINATION_NAME = os.environ.get(
    "CIVICBILL_ACH_IMMEDIATE_DESTINATION_NAME", "DEMO BANK"
)
CIVICBILL_ACH_IMMEDIATE_ORIGIN = os.environ.get("CIVICBILL_ACH_IMMEDIATE_ORIGIN", "1956000123")
CIVICBILL_ACH_IMMEDIATE_ORIGIN_NAME = os.environ.get(
    "CIVICBILL_ACH_IMMEDIATE_ORIGIN_NAME", "CITY OF COACHELLA"
)
CIVICBILL_ACH_ENTRY_DESCRIPTION = os.environ.get("CIVICBILL_ACH_ENTRY_DESCRIPTION", "UTILITY")
CIVICBILL_ACH_PRENOTE_WAIT_BUSINESS_DAYS = os.environ.get("CIVICBILL_ACH_PRENOTE_WAIT_BUSINESS_DAYS", "6")
CIVICBILL_ACH_RETURN_WINDOW_BUSINESS_DAYS = os.environ.get("CIVICBILL_ACH_RETURN_WINDOW_BUSINESS_DAYS", "2")
CIVICBILL_ACH_RETURN_FEE = os.environ.get("CIVICBILL_ACH_RETURN_FEE", "25.00")
# the return codes that charge it (never an unauthorized-entry code), and how far ahead a draft may be dated
CIVICBILL_ACH_RETURN_FEE_CODES = os.environ.get("CIVICBILL_ACH_RETURN_FEE_CODES", "R01,R09")
CIVICBILL_ACH_MAX_DAYS_AHEAD = os.environ.get("CIVICBILL_ACH_MAX_DAYS_AHEAD", "30")
# Refunds wait while money behind a credit can still come back: business days after the payment
# (civicbill/payments/clearing.py, docs/cashiering.md); 0 turns the hold off for that tender
CIVICBILL_REFUND_HOLD_CHECK_DAYS = os.environ.get("CIVICBILL_REFUND_HOLD_CHECK_DAYS", "10")
CIVICBILL_REFUND_HOLD_MONEY_ORDER_DAYS = os.environ.get("CIVICBILL_REFUND_HOLD_MONEY_ORDER_DAYS", "10")
CIVICBILL_REFUND_HOLD_ACH_DAYS = os.environ.get("CIVICBILL_REFUND_HOLD_ACH_DAYS", "5")
# Key(s) encrypting bank account numbers at rest (ADR 0010): Fernet keys, comma-separated, the first
# encrypts and all decrypt (rotation). Required when CIVICBILL_DEBUG=0; in development (read here, as
# the test runner turns DEBUG off later) an empty key is derived from SECRET_KEY.
CIVICBILL_FIELD_KEY = os.environ.get("CIVICBILL_FIELD_KEY", "")
CIVICBILL_FIELD_KEY_FROM_SECRET_KEY = DEBUG
