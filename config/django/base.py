"""Settings shared by every environment."""

import dj_database_url
from django.utils.translation import gettext_lazy as _

from config.env import BASE_DIR, env, env_bool, env_list

SECRET_KEY = env("SECRET_KEY", "dev-only-insecure-key-change-me-0123456789abcdefghijklmnopqrstuvwxyz")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "gendan.core",
    "gendan.accounts",
    "gendan.parties",
    "gendan.catalog",
    "gendan.planning",
    "gendan.orders",
    "gendan.files",
    "gendan.reviews",
    "gendan.notify",
    "gendan.discussion",
    "gendan.followup",
    "gendan.materials",
    "gendan.capacity",
    "gendan.outsourcing",
    "gendan.quality",
    "gendan.quotes",
    "gendan.shipping",
    "gendan.ledger",
    "gendan.complaints",
    "gendan.visits",
    "gendan.performance",
    "gendan.reassignments",
    "gendan.changes",
    "gendan.exports",
    "huey.contrib.djhuey",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "gendan.core.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "gendan.accounts.middleware.ScopeCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "gendan.core.idempotency.IdempotencyMiddleware",
    "gendan.core.inputs.NulCharacterMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "gendan" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gendan.core.context_processors.navigation",
            ],
            "builtins": ["gendan.core.templatetags.gendan_numbers"],
        },
    },
]

VAR_DIR = BASE_DIR / "var"
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'gendan.sqlite3'}"), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so counters (document numbers) never deadlock;
    # WAL lets readers go on while one writer works. Connections are kept like PostgreSQL's: closing the
    # last one checkpoints the WAL, which cost ~2 ms per request (a third of an API call's time).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["gendan.accounts.throttle.ThrottledModelBackend"]
# Reverse proxies (addresses or networks) whose X-Forwarded-For is believed: the client address used by
# login throttling and the audit log (gendan.core.audit.client_address). Empty: REMOTE_ADDR only.
GENDAN_TRUSTED_PROXIES = env_list("GENDAN_TRUSTED_PROXIES", "")
# /api/v1/docs and /api/v1/openapi.json without logging in (production turns it off: see docs/deploy.md).
GENDAN_API_DOCS_PUBLIC = env_bool("GENDAN_API_DOCS_PUBLIC", True)
# How long a process keeps the working-day calendar (gendan.planning.calendar); edits clear it at once.
CALENDAR_CACHE_SECONDS = int(env("CALENDAR_CACHE_SECONDS", "30"))

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "gendan" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
# our zh_Hans number formats (thousands separators) before Django's
FORMAT_MODULE_PATH = ["config.formats"]
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env("STATIC_ROOT", str(VAR_DIR / "static"))  # `gendan collectstatic` writes here
# The project shell's CSS and vendored htmx live in gendan/static/ (gendan itself is not an app).
STATICFILES_DIRS = [BASE_DIR / "gendan" / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env("MEDIA_ROOT", str(VAR_DIR / "media"))  # uploads; shared storage when several hosts serve
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Files on the record (gendan.files): the largest attachment accepted, in bytes.
ATTACHMENT_MAX_BYTES = int(env("ATTACHMENT_MAX_BYTES", str(20 * 1024 * 1024)))

# Absolute links in e-mails and group-robot messages (e.g. https://erp.example.com); blank keeps them relative.
SITE_URL = env("SITE_URL", "")
# Printed on forms (PDF); the company's own name, not a business rule.
COMPANY_NAME = env("COMPANY_NAME", "")
# A change request (gendan.changes) moving the order amount by more than this is the general manager's call.
GENDAN_CHANGE_GM_AMOUNT = env("GENDAN_CHANGE_GM_AMOUNT", "100000")
PDF_FONT_PATH = env("PDF_FONT_PATH", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# SMTP (EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend) or files (….filebased.EmailBackend).
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "gendan@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
    "loggers": {"gendan": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO"), "propagate": False}},
}

# Excel exports (gendan.exports): above EXPORT_SYNC_MAX_ROWS rows an export is prepared by the task queue
# and the request answers at once; a direct export stops at EXPORT_SYNC_HARD_ROWS rows / EXPORT_SYNC_SECONDS
# (well inside nginx's proxy_read_timeout, docs/deploy.md). Per user at most EXPORT_MAX_ACTIVE_PER_USER
# exports run or wait at a time. A background job's budget: EXPORT_JOB_MAX_ROWS rows, EXPORT_JOB_SECONDS.
EXPORT_ROOT = env("EXPORT_ROOT", str(VAR_DIR / "exports"))  # private: files only through the download view
EXPORT_SYNC_MAX_ROWS = int(env("EXPORT_SYNC_MAX_ROWS", "2000"))
EXPORT_SYNC_HARD_ROWS = int(env("EXPORT_SYNC_HARD_ROWS", "10000"))
EXPORT_SYNC_SECONDS = int(env("EXPORT_SYNC_SECONDS", "30"))
EXPORT_MAX_ACTIVE_PER_USER = int(env("EXPORT_MAX_ACTIVE_PER_USER", "2"))
EXPORT_JOB_MAX_ROWS = int(env("EXPORT_JOB_MAX_ROWS", "100000"))
EXPORT_JOB_SECONDS = int(env("EXPORT_JOB_SECONDS", "600"))
EXPORT_QUEUE_WAIT_SECONDS = int(
    env("EXPORT_QUEUE_WAIT_SECONDS", "1800")
)  # a queued job not started by then is stale
EXPORT_KEEP_DAYS = int(env("EXPORT_KEEP_DAYS", "7"))

# Task queue: SQLite-backed Huey by default (no server); Redis at scale via HUEY_REDIS_URL.
HUEY_REDIS_URL = env("HUEY_REDIS_URL")
HUEY = {
    "name": "gendan",
    "immediate": env_bool("HUEY_IMMEDIATE", False),
    "utc": False,
    "consumer": {"workers": 2, "worker_type": "thread"},
}
if HUEY_REDIS_URL:
    HUEY.update({"huey_class": "huey.RedisHuey", "url": HUEY_REDIS_URL})
else:
    # The queue file: HUEY_SQLITE_PATH, else next to an SQLite database (two instances with two databases
    # from one checkout get two queues), else var/huey.sqlite3.
    _db_name = str(DATABASES["default"].get("NAME") or "")
    _default_queue = (
        _db_name.rsplit(".", 1)[0] + "-huey.sqlite3"
        if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
        and _db_name.endswith(".sqlite3")
        and _db_name != str(VAR_DIR / "gendan.sqlite3")
        else str(VAR_DIR / "huey.sqlite3")
    )
    HUEY.update({"huey_class": "huey.SqliteHuey", "filename": env("HUEY_SQLITE_PATH", _default_queue)})
