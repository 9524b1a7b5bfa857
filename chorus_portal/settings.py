"""Settings of the Chorus Pro onboarding portal.

Every value that differs between a laptop, the test suite and production comes from the environment
(see the configuration table of the README). The embedded defaults run the portal on SQLite with emails
printed to the console; production refuses to start with an unsafe value.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

INSECURE_SECRET_KEY = "django-insecure-chorus-portal-local-only"  # noqa: S105 (refused in production below)

env = environ.Env()

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default=INSECURE_SECRET_KEY)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# "demo", "qualification" or "production": every page but production's carries a notice naming it.
PORTAL_ENVIRONMENT = env.str("PORTAL_ENVIRONMENT", default="demo")
PORTAL_NAME = env.str("PORTAL_NAME", default="Chorus Pro")
PORTAL_OPERATOR = env.str("PORTAL_OPERATOR", default="AIFE")
PORTAL_CONTACT_EMAIL = env.str("PORTAL_CONTACT_EMAIL", default="contact@chorus-pro.example")
PORTAL_CAPTCHA_TEST_MODE = env.bool("PORTAL_CAPTCHA_TEST_MODE", default=False)
# Benchmarks only (bench/pages.py): serve a bare view at /bench/bare as the throughput baseline.
PORTAL_BENCH_BARE_VIEW = env.bool("PORTAL_BENCH_BARE_VIEW", default=False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.forms",
    "dsfr",
    "widget_tweaks",
    "captcha",
    "axes",
    "django_tasks_db",
    "accounts",
    "structures",
    "workspaces",
    "news",
    "chorus_portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, whose user is the one read with the session (chorus_portal/sessions.py).
    "chorus_portal.sessions.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

if not DEBUG:
    # Static files served by the web process itself (compressed, hashed names) in production.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "chorus_portal.urls"
WSGI_APPLICATION = "chorus_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            # Django's cached loader, which also renders each template's fixed runs once (template_loader.py).
            "loaders": [
                (
                    "chorus_portal.template_loader.Loader",
                    [
                        "django.template.loaders.filesystem.Loader",
                        "django.template.loaders.app_directories.Loader",
                    ],
                )
            ],
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "chorus_portal.context_processors.portal",
                "chorus_portal.context_processors.connected_menu",
            ],
        },
    },
]
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# Database: a SQLite file next to the project unless DATABASE_URL says otherwise (PostgreSQL in production).
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0 if DEBUG else 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The same backend, whose health check asks the socket before sending SELECT 1 (chorus_portal/postgresql).
    DATABASES["default"]["ENGINE"] = "chorus_portal.postgresql"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
if DATABASES["default"]["ENGINE"] == "chorus_portal.postgresql" and env.bool(
    "DATABASE_PREPARED_STATEMENTS", default=True
):
    # Parameters bound by the server, and a statement run five times on a connection prepared there (psycopg's
    # automatic prepared statements): PostgreSQL then skips parsing and planning the statements every page sends
    # (session, user, the connected pages' counts, the event feed, the search), about half of its time per page
    # (bench/RESULTS.md). Set DATABASE_PREPARED_STATEMENTS=0 behind a pooler in transaction mode that does not
    # keep prepared statements (PgBouncer before 1.21).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": True, "prepare_threshold": 5}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Shared state (rate limits, SIRENE answers) lives in the database so that several web processes agree.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "portal_cache",
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.UserBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Password policy of seeds 000/001 (12 characters, 3 of the 4 groups) plus similarity, common and zxcvbn checks.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "accounts.password_validation.CharacterGroupsValidator", "OPTIONS": {"min_groups": 3}},
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "contact_email", "first_name", "last_name")},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "accounts.password_validation.ZxcvbnValidator", "OPTIONS": {"min_score": 3}},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Email links: the activation link lives ACCOUNT_ACTIVATION_MAX_AGE seconds (72 hours by default), the password
# reset link PASSWORD_RESET_TIMEOUT seconds (1 hour). Both work once. Links in emails start with PORTAL_BASE_URL.
ACCOUNT_ACTIVATION_MAX_AGE = env.int("ACCOUNT_ACTIVATION_MAX_AGE", default=72 * 3600)
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=3600)
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
# "Remember me" keeps the session this long; otherwise it ends when the browser closes.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=14 * 24 * 3600)
# Django's database sessions (the portal's model, accounts.Session), each read with its user in one statement
# (chorus_portal/sessions.py).
SESSION_ENGINE = "chorus_portal.sessions"

# django-axes: lock the login out after repeated failures for the same address from the same client.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout"
AXES_VERBOSE = False

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Internationalisation: English msgids, French first.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Paris"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "chorus_portal.staticfiles.PortalStaticFilesStorage"
    },
}

# Email. MAILERS (Django 6.1): the console on the embedded default, SMTP from EMAIL_URL otherwise.
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ne-pas-repondre@chorus-pro.example")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
_email_url = env.str("EMAIL_URL", default="")
if _email_url:
    _email = environ.Env.email_url_config(_email_url)
    MAILERS = {
        "default": {
            "BACKEND": _email["EMAIL_BACKEND"],
            "OPTIONS": {
                "host": _email.get("EMAIL_HOST", "localhost"),
                "port": _email.get("EMAIL_PORT", 25),
                "username": _email.get("EMAIL_HOST_USER", ""),
                "password": _email.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": _email.get("EMAIL_USE_TLS", False),
                "use_ssl": _email.get("EMAIL_USE_SSL", False),
                "timeout": env.int("EMAIL_TIMEOUT", default=10),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

# Background tasks (emails): immediate on the embedded default; in production
# TASKS_BACKEND=django_tasks_db.DatabaseBackend and a worker, `python manage.py db_worker`, which delivers queued
# emails and retries a failed delivery with an exponential backoff (EMAIL_DELIVERY_* below).
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django.tasks.backends.immediate.ImmediateBackend"),
    }
}
EMAIL_DELIVERY_MAX_ATTEMPTS = env.int("EMAIL_DELIVERY_MAX_ATTEMPTS", default=12)
EMAIL_DELIVERY_RETRY_DELAY = env.int("EMAIL_DELIVERY_RETRY_DELAY", default=60)
EMAIL_DELIVERY_RETRY_MAX_DELAY = env.int("EMAIL_DELIVERY_RETRY_MAX_DELAY", default=3600)

# SIRENE directory (structures.sirene): the SIRET lookup that pre-fills a new structure.
# SIRENE_BACKENDS: comma list tried in order among `local` (the establishments table filled by
# `manage.py import_sirene`), `insee` (API Sirene 3.11, needs INSEE_SIRENE_API_KEY) and `recherche_entreprises`
# (keyless API). An unavailable backend (timeout, 5xx, 429, bad payload) hands over to the next one.
SIRENE_BACKENDS = env.list("SIRENE_BACKENDS", default=["local"])
# How long a SIRET lookup may wait for the directories, in seconds: every HTTP backend tried shares it.
SIRENE_TIMEOUT = env.float("SIRENE_TIMEOUT", default=3.0)
# How long the answers of the HTTP backends (found, closed, unknown) are kept in the cache, in seconds.
SIRENE_CACHE_SECONDS = env.int("SIRENE_CACHE_SECONDS", default=24 * 3600)
INSEE_SIRENE_API_URL = env.str("INSEE_SIRENE_API_URL", default="https://api.insee.fr/api-sirene/3.11")
# Key of an application subscribed to "API Sirene" on portail-api.insee.fr (one key per environment).
INSEE_SIRENE_API_KEY = env.str("INSEE_SIRENE_API_KEY", default="")
# The public plan's quota, shared by every web process through the cache.
INSEE_SIRENE_REQUESTS_PER_MINUTE = env.int("INSEE_SIRENE_REQUESTS_PER_MINUTE", default=30)
RECHERCHE_ENTREPRISES_API_URL = env.str(
    "RECHERCHE_ENTREPRISES_API_URL", default="https://recherche-entreprises.api.gouv.fr"
)
# The explicit User-Agent the public APIs ask for, naming the portal and its contact.
SIRENE_USER_AGENT = env.str(
    "SIRENE_USER_AGENT",
    default=f"{PORTAL_NAME} onboarding portal ({PORTAL_OPERATOR}; {PORTAL_CONTACT_EMAIL})",
)

# Captcha (django-simple-captcha). The test mode accepts "PASSED"; refused in production below.
CAPTCHA_TEST_MODE = PORTAL_CAPTCHA_TEST_MODE
CAPTCHA_LENGTH = 5
CAPTCHA_IMAGE_SIZE = (160, 50)
CAPTCHA_FONT_SIZE = 32
CAPTCHA_FLITE_PATH = env.str("CAPTCHA_FLITE_PATH", default="") or None

# Security headers. The CSP is strict: no inline script or style, scripts only with the request's nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "media-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True

    _unsafe = []
    if SECRET_KEY == INSECURE_SECRET_KEY or len(SECRET_KEY) < 50:
        _unsafe.append("SECRET_KEY is missing, the local default, or shorter than 50 characters")
    if PORTAL_CAPTCHA_TEST_MODE:
        _unsafe.append("PORTAL_CAPTCHA_TEST_MODE=1 lets any robot through the captcha")
    if not ALLOWED_HOSTS:
        _unsafe.append("ALLOWED_HOSTS is empty")
    if not PORTAL_BASE_URL.startswith("https://"):
        _unsafe.append("PORTAL_BASE_URL (the start of the links sent by email) is not an https:// address")
    if _unsafe:
        raise ImproperlyConfigured("Refusing to start with DEBUG off: " + "; ".join(_unsafe) + ".")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# django-dsfr: never mark content passed to its tags as safe (user input is escaped like everywhere else).
DSFR_CONTENT_IS_SAFE = False
