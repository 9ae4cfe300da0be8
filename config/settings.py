"""Resonanz settings.

Every value comes from the environment. With nothing set the site runs as a local demo:
SQLite in the project folder, Celery tasks in-process, local-memory cache, e-mail to the
console and DEBUG on. Production sets at least SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL,
REDIS_URL and DEBUG=false.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.env import (
    MissingSettingError,
    env_bool,
    env_int,
    env_int_list,
    env_list,
    env_str,
    fernet_key_derived,
    require_for_production,
)

BASE_DIR = Path(__file__).resolve().parent.parent

# CORE ---------------------------------------------------------------------------------------
DEBUG = env_bool("DEBUG", True)
if not DEBUG:
    require_for_production(["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"])

# The fallback key only ever serves the local demo: production refuses to start without one.
SECRET_KEY = env_str("SECRET_KEY") or "demo-only-key-never-used-when-debug-is-off"
# Fernet keys for secrets kept in the database (apps/core/encrypted_fields.py), newest first:
# the first encrypts, all decrypt. The demo derives one; DEBUG=false without one fails the
# system check.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEY") or (
    [fernet_key_derived(SECRET_KEY, "field-encryption")] if DEBUG else []
)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
BRAND_NAME = env_str("BRAND_NAME", "Resonanz")
# The brand's program as staff know it, beside "Resonanz" in the admin's header.
PROGRAM_NAME = env_str("PROGRAM_NAME", "Snack Club")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # Before the admin, so its translation tabs patch the admin classes.
    "modeltranslation",
    # The stock admin with our site: sections by job, the start page (config/admin/).
    "config.admin.apps.ResonanzAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # `runserver` leaves static files to WhiteNoise as production does: with the CORS header a
    # brand's page needs to load the embed script with an integrity check.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_ratelimit",
    "template_partials",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "oauth2_provider",
    "csp",
    "adminsortable2",
    # The campaign builder's answers nested inside questions (apps/campaigns/admin_inlines.py).
    "nested_admin",
    # Staff sign-in: lock-out after wrong passwords, and the second factor (config/admin/).
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "two_factor",
    "apps.core",
    "apps.profiles",
    "apps.audit",
    "apps.consent",
    "apps.preferences",
    "apps.campaigns",
    "apps.challenges",
    "apps.loyalty",
    "apps.personalization",
    "apps.partners",
    "apps.privacy",
    "apps.insights",
    "apps.demo",
]

MIDDLEWARE = [
    "apps.core.middleware.RequestIdMiddleware",
    # Serves /embed/<page> as <page> with /embed/ as the script prefix; outermost after the
    # request id, so it sees (and partitions) every cookie the layers inside set.
    "apps.partners.middleware.EmbedMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "apps.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed the second factor.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "apps.core.middleware.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "apps.profiles.middleware.ProfileMiddleware",
    # Inside the session and the framing and CSP headers, before the preview: which pages a
    # frame may show, its entry parameters, `request.embed`, and who may frame it.
    "apps.partners.middleware.EmbedFrameMiddleware",
    # After the profile, inside the framing and CSP headers: the admin's campaign preview.
    "apps.campaigns.test_play.TestPlayMiddleware",
    "apps.consent.middleware.GlobalPrivacyControlMiddleware",
    # Last, as django-axes requires: answers a locked-out sign-in with its page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "apps.core.context_processors.brand",
                "apps.core.context_processors.embed",
                "apps.consent.context_processors.consent_reprompt",
            ],
        },
    },
]

# DATABASE -----------------------------------------------------------------------------------
# Persistent connections with health checks: about 3x the throughput of a connection per
# request, and Celery workers reuse theirs between tasks the same way.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}

# CACHE, CELERY ------------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "resonanz",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Small, short-lived values kept in each process (template fragments that vary only by
# language, tier thresholds): a network round trip would cost more than computing them.
CACHES["local"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "local",
    "TIMEOUT": 60,
}

CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 5}
# A request must not hang on a broker that is down: give up fast, the outbox sweep retries.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BEAT_SCHEDULE = {
    "expire-points": {
        "task": "apps.loyalty.tasks.expire_points_task",
        "schedule": crontab(hour=3, minute=15),
        "options": {"expires": 60 * 60},
    },
    "recompute-tiers": {
        "task": "apps.loyalty.tasks.recompute_tiers_task",
        "schedule": crontab(hour=3, minute=45),
        "options": {"expires": 60 * 60},
    },
    "forget-unkept-answers": {
        "task": "apps.campaigns.tasks.forget_unkept_answers_task",
        "schedule": crontab(minute=30),
        "options": {"expires": 30 * 60},
    },
    "follow-campaign-schedules": {
        "task": "apps.campaigns.tasks.follow_campaign_schedules_task",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "flush-campaign-views": {
        "task": "apps.campaigns.tasks.flush_campaign_views_task",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "forget-used-sign-in-tokens": {
        "task": "apps.profiles.tasks.forget_used_sign_in_tokens_task",
        "schedule": crontab(minute=40),
    },
    "forget-used-embed-tokens": {
        "task": "apps.partners.tasks.forget_used_embed_tokens_task",
        "schedule": crontab(minute=45),
    },
    "deliver-due-webhooks": {
        "task": "apps.partners.tasks.deliver_due_webhooks_task",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "forget-idempotency-records": {
        "task": "apps.partners.tasks.forget_idempotency_records_task",
        "schedule": crontab(minute=50),
        "options": {"expires": 30 * 60},
    },
    "rebuild-segment-members": {
        "task": "apps.personalization.tasks.materialize_segments_task",
        "schedule": crontab(hour=4, minute=40),
        "kwargs": {"full": True},
    },
    "update-segment-members": {
        "task": "apps.personalization.tasks.materialize_segments_task",
        "schedule": 300.0,
        "options": {"expires": 290},
    },
    "compute-churn-scores": {
        "task": "apps.personalization.tasks.compute_churn_scores_task",
        "schedule": crontab(hour=4, minute=10),
    },
    # Incremental: the days touched since the last run, plus today.
    "refresh-insights": {
        "task": "apps.insights.tasks.refresh_rollups_task",
        "schedule": 15 * 60.0,
        "options": {"expires": 14 * 60},
    },
    "sweep-outbox": {
        "task": "apps.core.tasks.sweep_outbox_task",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "prune-outbox": {
        "task": "apps.core.tasks.prune_outbox_task",
        "schedule": crontab(hour=4, minute=25),
        "options": {"expires": 60 * 60},
    },
    "run-waiting-data-requests": {
        "task": "apps.privacy.tasks.run_waiting_data_requests_task",
        "schedule": 300.0,
        "options": {"expires": 290},
    },
    "check-partner-acknowledgements": {
        "task": "apps.privacy.tasks.check_partner_acknowledgements_task",
        "schedule": 300.0,
        "options": {"expires": 290},
    },
    "forget-old-exports": {
        "task": "apps.privacy.tasks.forget_old_exports_task",
        "schedule": crontab(hour=5, minute=10),
    },
    "retention-sweep": {
        "task": "apps.privacy.tasks.retention_sweep_task",
        "schedule": crontab(hour=2, minute=30),
        "options": {"expires": 2 * 60 * 60},
    },
}
# Synthetic customers `seed_demo` writes, so the demo's dashboards show figures (tests: 0).
DEMO_POPULATION = env_int("DEMO_POPULATION", 3000)
LOYALTY_POINTS_VALIDITY_DAYS = env_int("LOYALTY_POINTS_VALIDITY_DAYS", 365)
LOYALTY_TIER_WINDOW_DAYS = env_int("LOYALTY_TIER_WINDOW_DAYS", 365)
LOYALTY_BATCH_SIZE = 500
# What one point is worth to the brand, for the liability figure in the admin.
LOYALTY_POINT_VALUE_CENTS = env_int("LOYALTY_POINT_VALUE_CENTS", 1)
# Velocity limits against farmed points and vouchers, as (count, seconds). Redemptions per
# profile are counted in the database; per client address in the cache (RATELIMIT_USE_CACHE).
LOYALTY_REDEEM_LIMIT_PER_PROFILE = (env_int("LOYALTY_REDEEM_LIMIT_PER_PROFILE", 3), 24 * 60 * 60)
LOYALTY_REDEEM_LIMIT_PER_IP = (env_int("LOYALTY_REDEEM_LIMIT_PER_IP", 10), 60 * 60)
LOYALTY_EARN_LIMIT_PER_IP = (env_int("LOYALTY_EARN_LIMIT_PER_IP", 30), 60 * 60)
# How long a relay waits to take the events committed after the one that asked for it:
# webhooks leave up to this much later, and a busy process sends the broker one task per
# interval instead of one per event.
OUTBOX_RELAY_DELAY_MS = env_int("OUTBOX_RELAY_DELAY_MS", 200)
OUTBOX_SWEEP_GRACE_SECONDS = env_int("OUTBOX_SWEEP_GRACE_SECONDS", 30)
OUTBOX_SWEEP_BATCH_SIZE = 500
# A failed relay waits OUTBOX_RETRY_BASE_SECONDS, doubling per attempt up to
# OUTBOX_RETRY_MAX_SECONDS (with jitter); after OUTBOX_MAX_ATTEMPTS it is a dead letter.
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 12)
OUTBOX_RETRY_BASE_SECONDS = env_int("OUTBOX_RETRY_BASE_SECONDS", 60)
OUTBOX_RETRY_MAX_SECONDS = env_int("OUTBOX_RETRY_MAX_SECONDS", 6 * 60 * 60)
# Relayed events older than this are deleted (never under 31 days: previews read 30).
OUTBOX_RETENTION_DAYS = env_int("OUTBOX_RETENTION_DAYS", 35)

# RATE LIMITS --------------------------------------------------------------------------------
RATELIMIT_ENABLE = env_bool("RATELIMIT_ENABLE", True)
RATELIMIT_USE_CACHE = "default"
RATELIMIT_IP_META_KEY = "apps.core.http.client_ip"
# A cache outage must not lock customers out; the limits return with the cache.
RATELIMIT_FAIL_OPEN = True
# django-ratelimit's list of supported caches predates Django's own RedisCache, which
# increments atomically; W001 says only that. Without REDIS_URL each process counts on its
# own (E003): exact in the one-process demo, per worker elsewhere.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"] + (
    [] if REDIS_URL else ["django_ratelimit.E003"]
)

# SESSIONS, AUTH -----------------------------------------------------------------------------
# Database sessions keep customers signed in even while Redis is down.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 90
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Staff sign in at /admin/login/ (password, then the second factor); customers never use
# passwords. The axes backend refuses a locked-out sign-in before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"
# Wrong passwords in a row, counted per user name (from any address) and per address (for
# any user name), before sign-in is refused for the cool-off; every further try restarts it.
AXES_FAILURE_LIMIT = env_int("STAFF_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("STAFF_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "apps.core.http.client_ip"
AXES_LOCKOUT_CALLABLE = "config.admin.lockout.lockout_response"
AXES_USERNAME_FORM_FIELD = "username"
# The second factor's codes come from an app on the phone; the QR code names the program.
OTP_TOTP_ISSUER = f"Resonanz {PROGRAM_NAME}"
# Password and code within ten minutes; the admin site wires the sign-in itself
# (config/admin/site.py), so the library must not patch the admin's login.
TWO_FACTOR_LOGIN_TIMEOUT = 10 * 60
TWO_FACTOR_PATCH_ADMIN = False

# I18N ---------------------------------------------------------------------------------------
LANGUAGE_CODE = "de"
LANGUAGES = [("de", "Deutsch"), ("en", "English")]
# Translated model fields (each app's translation.py): one column per language in LANGUAGES, so a
# new language is one line above plus `makemigrations`. German is required and the fallback.
MODELTRANSLATION_DEFAULT_LANGUAGE = "de"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("de",)
MODELTRANSLATION_REQUIRED_LANGUAGES = ("de",)
# Campaign slugs are made from the English title, as before.
MODELTRANSLATION_PREPOPULATE_LANGUAGE = "en"
# The admin's language tabs use jQuery UI, served from our own static files (strict CSP, no CDN).
JQUERY_UI_URL = "vendor/jquery-ui.min.js"
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

# STATIC, MEDIA ------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or BASE_DIR / "media")
WHITENOISE_USE_FINDERS = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "apps.core.storage.StaticFilesStorage"
        )
    },
}

# E-MAIL -------------------------------------------------------------------------------------
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Resonanz <hallo@resonanz.example>")
# Seconds an SMTP connection may block: a hung mail server must not hold a worker.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)

# SECURITY -----------------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many reverse proxies in front of the app append to X-Forwarded-For (0: clients connect
# directly). Production must say it: too few and every customer behind the proxy shares one
# address (rate limits lock them out together, consent evidence is the proxy's), too many and
# clients choose their own address by sending the header.
if not DEBUG and not env_str("TRUSTED_PROXY_COUNT").strip():
    raise MissingSettingError(
        "DEBUG=false needs TRUSTED_PROXY_COUNT set: the number of reverse proxies in front of "
        "the app that append to X-Forwarded-For, 0 if clients connect to it directly."
    )
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Load balancers probe over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

# IDENTITY -----------------------------------------------------------------------------------
# A magic link works once, for this many seconds.
SIGN_IN_LINK_MAX_AGE = env_int("SIGN_IN_LINK_MAX_AGE", 15 * 60)
# Sign-in requests allowed per (count, seconds), per client address and per e-mail address.
SIGN_IN_LIMIT_PER_IP = (env_int("SIGN_IN_LIMIT_PER_IP", 10), 60)
SIGN_IN_LIMIT_PER_ADDRESS = (env_int("SIGN_IN_LIMIT_PER_ADDRESS", 5), 15 * 60)
# Partner sites send customers in with a signed token living at most this long.
EMBED_TOKEN_MAX_LIFETIME = 10 * 60
EMBED_TOKEN_AUDIENCE = env_str("EMBED_TOKEN_AUDIENCE", "resonanz")
EMBED_LIMIT_PER_IP = (env_int("EMBED_LIMIT_PER_IP", 60), 60)

# PERSONALIZATION ----------------------------------------------------------------------------
# No offers are pushed between these hours of the customer's own day (start, end).
OFFER_QUIET_HOURS = (env_int("OFFER_QUIET_HOURS_START", 22), env_int("OFFER_QUIET_HOURS_END", 7))

# CONSENT ------------------------------------------------------------------------------------
CONSENT_EVIDENCE_KEY = env_str("CONSENT_EVIDENCE_KEY") or SECRET_KEY
CONSENT_RECEIPT_SIGNING_KEY = env_str("CONSENT_RECEIPT_SIGNING_KEY")
CONSENT_DOUBLE_OPT_IN_MAX_AGE = env_int("CONSENT_DOUBLE_OPT_IN_MAX_AGE", 48 * 60 * 60)
# Confirmation mails allowed per mailbox per (count, seconds); more are refused unsent.
CONSENT_DOUBLE_OPT_IN_LIMIT_PER_ADDRESS = (
    env_int("CONSENT_DOUBLE_OPT_IN_LIMIT_PER_ADDRESS", 3),
    60 * 60,
)
CONSENT_JURISDICTION = env_str("CONSENT_JURISDICTION", "DE")
CONSENT_CONTROLLER = {
    "name": env_str("CONTROLLER_NAME", "Resonanz Demo GmbH"),
    "contact": env_str("CONTROLLER_CONTACT", "Datenschutzteam"),
    "address": env_str("CONTROLLER_ADDRESS", "Musterstraße 1, 10115 Berlin, Deutschland"),
    "email": env_str("CONTROLLER_EMAIL", "datenschutz@resonanz.example"),
    "phone": env_str("CONTROLLER_PHONE", "+49 30 000000"),
    "url": env_str("CONTROLLER_URL", "https://resonanz.example"),
}
PRIVACY_POLICY_URL = env_str("PRIVACY_POLICY_URL", "https://resonanz.example/datenschutz")
GPC_LAST_UPDATE = "2026-11-27"

# DATA-SUBJECT REQUESTS ----------------------------------------------------------------------
# Exports are kept outside MEDIA_ROOT (which is served to anyone); only a signed link reaches one.
# Web and worker processes share it, as they share MEDIA_ROOT.
PRIVACY_EXPORT_ROOT = Path(env_str("PRIVACY_EXPORT_ROOT") or BASE_DIR / "private" / "exports")
# How long a ready export can be downloaded; the file is deleted after that.
PRIVACY_EXPORT_MAX_AGE = env_int("PRIVACY_EXPORT_MAX_AGE", 7 * 24 * 60 * 60)
# A new export is made at most this often; asking again sooner offers the one just made.
PRIVACY_EXPORT_MIN_INTERVAL = env_int("PRIVACY_EXPORT_MIN_INTERVAL", 15 * 60)
# Art. 12(3) GDPR: a request is answered within a month.
PRIVACY_REQUEST_DUE_DAYS = 30

# REST API -----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "apps.partners.api.schema.PartnerAutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": ["apps.partners.api.auth.PartnerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["apps.partners.api.auth.HasPartnerScope"],
    "DEFAULT_THROTTLE_CLASSES": ["apps.partners.api.ratelimit.PartnerRateLimit"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["apps.partners.api.parsers.StrictJSONParser"],
    "EXCEPTION_HANDLER": "apps.partners.api.problems.problem_exception_handler",
    "UNAUTHENTICATED_USER": None,
    "UNICODE_JSON": True,
    # OPTIONS would describe the API a second way; the OpenAPI schema is the description.
    "DEFAULT_METADATA_CLASS": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Resonanz Partner API",
    "DESCRIPTION": (
        "Declared preferences, consent-bound reads, loyalty events and signed webhooks for "
        "partner systems. Sign in with OAuth2 client credentials at `/api/oauth/token/`; "
        "every read returns only what the customer allowed the partner to see."
    ),
    "VERSION": "1.0.0",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "APPEND_COMPONENTS": {
        "securitySchemes": {
            "partnerToken": {
                "type": "oauth2",
                "flows": {
                    "clientCredentials": {
                        "tokenUrl": "/api/oauth/token/",
                        "scopes": {
                            "profiles:read": "Look customers up",
                            "profiles:write": "Link the partner's own customers",
                            "preferences:read": "Read declared preferences",
                            "consents:read": "Read consent states",
                            "events:write": "Report events that earn points",
                            "loyalty:read": "Read balances, tiers and ledgers",
                            "loyalty:write": "Redeem rewards and cancel redemptions",
                            "campaigns:read": "List live campaigns",
                            "segments:read": "Read segments, members and recommendations",
                            "webhooks:manage": "Manage webhook endpoints and deliveries",
                        },
                    }
                },
            }
        }
    },
}

# OAuth2 client credentials for partners: short-lived tokens, stored only as a checksum.
OAUTH2_PROVIDER = {
    "ACCESS_TOKEN_EXPIRE_SECONDS": 15 * 60,
    "SCOPES_BACKEND_CLASS": "apps.partners.api.auth.PartnerScopes",
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
}
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "oauth2_provider.AccessToken"
OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL = "oauth2_provider.RefreshToken"
OAUTH2_PROVIDER_ID_TOKEN_MODEL = "oauth2_provider.IDToken"
OAUTH2_PROVIDER_GRANT_MODEL = "oauth2_provider.Grant"
# Webhook URLs on private or loopback addresses are refused unless this is the demo.
WEBHOOKS_ALLOW_PRIVATE_URLS = env_bool("WEBHOOKS_ALLOW_PRIVATE_URLS", DEBUG)
WEBHOOK_TIMEOUT_SECONDS = 15
# A worker that dies mid-delivery holds the delivery this long; then the sweep sends it again.
WEBHOOK_ATTEMPT_LEASE_SECONDS = env_int("WEBHOOK_ATTEMPT_LEASE_SECONDS", 5 * 60)
# The whole of one delivery attempt (connect, send, answer); past it the attempt failed.
WEBHOOK_DELIVERY_DEADLINE_SECONDS = env_int("WEBHOOK_DELIVERY_DEADLINE_SECONDS", 10)
# Waits between attempts, in seconds; a test installation may shorten them ("10,60,300").
WEBHOOK_RETRY_SCHEDULE = env_int_list(
    "WEBHOOK_RETRY_SCHEDULE", [5, 300, 1800, 7200, 18000, 36000, 36000]
)

# LOGGING ------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s %(message)s"},
    },
    "filters": {"request_id": {"()": "apps.core.middleware.RequestIdLogFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # In-process tasks would log every success into the request log.
        "celery.app.trace": {"level": "WARNING" if CELERY_TASK_ALWAYS_EAGER else "INFO"},
    },
}
