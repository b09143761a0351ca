"""`make bench`: its own database (BENCH_DATABASE_URL, else var/bench.sqlite3), no debug query log."""

import dj_database_url

from config.django.base import *  # noqa: F403
from config.django.base import DATABASES, VAR_DIR
from config.env import env

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # logins are not what is measured
_url = env("BENCH_DATABASE_URL")
if _url:
    DATABASES["default"] = dj_database_url.parse(_url, conn_max_age=60)
else:
    # BENCH_SQLITE lets two benches (or a kept 1M-order database) live side by side
    DATABASES["default"]["NAME"] = env("BENCH_SQLITE") or str(VAR_DIR / "bench.sqlite3")
HUEY = {**HUEY, "immediate": True}  # noqa: F405
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "ERROR"}}
