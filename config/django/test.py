"""Tests: the real database engine chosen by DATABASE_URL (SQLite by default)."""

import os

from config.django.base import *  # noqa: F403
from config.django.base import DATABASES, VAR_DIR

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and not os.environ.get("DATABASE_URL"):
    DATABASES["default"]["NAME"] = str(VAR_DIR / "test.sqlite3")
    # One file per test run (inherited by the processes a test starts), so parallel runs never collide.
    _test_db = os.environ.setdefault("GENDAN_TEST_DB", f"test-db-{os.getpid()}.sqlite3")
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / _test_db)}
MEDIA_ROOT = VAR_DIR / "test-media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CALENDAR_CACHE_SECONDS = 0  # tests roll back calendar rows; tests/planning covers the cache itself
HUEY = {**HUEY, "immediate": True}  # noqa: F405  tasks run in-process in tests
STATIC_ROOT = None  # tests serve static files from the apps (finders), nothing is collected
WHITENOISE_USE_FINDERS = True
EXPORT_ROOT = VAR_DIR / "test-exports"
