"""Consistent online backups and restores: SQLite's backup API, pg_dump/pg_restore on PostgreSQL."""

import hashlib
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.apps import apps
from django.db import connection
from django.utils.translation import gettext as _

from gendan.core.errors import ApplicationError


def _pg_env_and_args() -> tuple[dict, list[str]]:
    settings = connection.settings_dict
    env = {**os.environ}
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = settings["PASSWORD"]
    args = [
        "-h",
        settings.get("HOST") or "127.0.0.1",
        "-p",
        str(settings.get("PORT") or 5432),
        "-U",
        settings.get("USER") or "postgres",
    ]
    return env, args


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    if candidates:
        return str(candidates[0])
    if found:
        return found
    raise ApplicationError(_("%(tool)s is not installed.") % {"tool": name}, code="tool_missing")


def database_backup(*, target: Path) -> dict:
    """Write a consistent snapshot while writes go on."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        source = connection.connection
        if target.exists():
            target.unlink()
        with sqlite3.connect(str(target)) as dest:
            source.backup(dest)
        dest.close()
        return {"engine": "sqlite", "file": str(target), "bytes": target.stat().st_size}
    if connection.vendor == "postgresql":
        env, args = _pg_env_and_args()
        subprocess.run(
            [_pg_tool("pg_dump"), *args, "-Fc", "-f", str(target), connection.settings_dict["NAME"]],
            check=True,
            env=env,
            capture_output=True,
        )
        return {"engine": "postgresql", "file": str(target), "bytes": target.stat().st_size}
    raise ApplicationError(_("Backups are supported on SQLite and PostgreSQL."), code="unsupported_engine")


def _is_empty() -> bool:
    tables = connection.introspection.table_names()
    if not tables:
        return True
    from gendan.orders.models import Order

    return Order._meta.db_table not in tables or not Order.objects.exists()


def database_restore(*, source: Path) -> dict:
    """Restore a backup into an empty database (no orders yet): refuses to overwrite live data."""
    source = Path(source)
    if not source.is_file():
        raise ApplicationError(_("Backup file not found."), code="not_found", status=404)
    if not _is_empty():
        raise ApplicationError(
            _("The target database is not empty: restore only into an empty database."), code="not_empty"
        )
    if connection.vendor == "sqlite":
        with open(source, "rb") as handle:
            if handle.read(16) != b"SQLite format 3\x00":
                raise ApplicationError(_("This is not a SQLite backup."), code="bad_backup")
        connection.ensure_connection()
        with sqlite3.connect(str(source)) as src:
            src.backup(connection.connection)
        return {"engine": "sqlite", "file": str(source)}
    if connection.vendor == "postgresql":
        env, args = _pg_env_and_args()
        listing = subprocess.run([_pg_tool("pg_restore"), "-l", str(source)], env=env, capture_output=True)
        if listing.returncode != 0:
            raise ApplicationError(_("This is not a PostgreSQL backup."), code="bad_backup")
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        connection.close()
        subprocess.run(
            [
                _pg_tool("pg_restore"),
                *args,
                "--no-owner",
                "-d",
                connection.settings_dict["NAME"],
                str(source),
            ],
            check=True,
            env=env,
            capture_output=True,
        )
        return {"engine": "postgresql", "file": str(source)}
    raise ApplicationError(_("Backups are supported on SQLite and PostgreSQL."), code="unsupported_engine")


def database_fingerprint() -> dict[str, dict]:
    """Row count and a checksum of every row (ordered by primary key) for each model table."""
    result: dict[str, dict] = {}
    existing = set(connection.introspection.table_names())
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed or model._meta.db_table not in existing:
            continue
        digest = hashlib.sha256()
        count = 0
        for row in model._base_manager.order_by("pk").values_list(
            *[f.attname for f in model._meta.concrete_fields]
        ):
            digest.update(repr(row).encode())
            count += 1
        result[model._meta.db_table] = {"rows": count, "sha256": digest.hexdigest()}
    return result
