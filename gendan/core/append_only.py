"""Append-only tables refuse UPDATE and DELETE in the database itself, on SQLite and on PostgreSQL.

The append-only tables: every EventModel (order, review, shipment … timelines), the audit log and the
ledger (发出商品台账). The models already refuse changes in Python (save/delete); the triggers also stop
raw SQL, bulk `QuerySet.update()/delete()`, cascades and other clients. They are (re)installed after every
`migrate` (gendan.accounts.apps) and by `append_only_triggers_install()`.

Idempotency records are not append-only: their answer is written in the same transaction as the work and
they expire after 24 hours (gendan.core.idempotency).

What they do not cover, by design: PostgreSQL's TRUNCATE (Django's test flush; it needs the table owner),
and on SQLite one exemption for Django's own flush of a test database (`flush` runs DELETE there): the
DELETE trigger asks the connection's function `gendan_append_only_open()`, which answers 1 only while
`flush_allowed(connection)` is on — only the test suite turns it on (tests/conftest.py), around
`execute_sql_flush`. A client that has not registered the function (the sqlite3 shell) gets "no such
function" and its DELETE fails too. Restores copy whole databases (SQLite's backup API, pg_restore), which
fire no row triggers.
"""

import contextlib

from django.apps import apps
from django.db import connection
from django.db.backends.signals import connection_created

from gendan.core.models import EventModel

FUNCTION = """
CREATE OR REPLACE FUNCTION gendan_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""
SQLITE_FUNCTION = "gendan_append_only_open"
# Models that are append-only without being EventModels (app_label.ModelName).
OTHER_APPEND_ONLY = ("core.AuditLog", "ledger.LedgerEntry")


def append_only_tables() -> list[str]:
    tables = [
        m._meta.db_table for m in apps.get_models() if issubclass(m, EventModel) and not m._meta.abstract
    ]
    tables += [m._meta.db_table for m in apps.get_models() if getattr(m, "append_only", False)]
    for label in OTHER_APPEND_ONLY:
        try:
            tables.append(apps.get_model(label)._meta.db_table)
        except LookupError:
            continue
    return sorted(set(tables))


def _sqlite_register(sender, connection, **kwargs) -> None:
    if connection.vendor != "sqlite":
        return

    def is_open() -> int:
        return 1 if getattr(connection, "_gendan_flush_allowed", False) else 0

    connection.connection.create_function(SQLITE_FUNCTION, 0, is_open)


connection_created.connect(_sqlite_register, dispatch_uid="gendan_append_only_sqlite_function")


@contextlib.contextmanager
def flush_allowed(conn=None):
    """SQLite only: let this connection's DELETEs through the append-only triggers (test flushes)."""
    conn = conn or connection
    previous = getattr(conn, "_gendan_flush_allowed", False)
    conn._gendan_flush_allowed = True
    try:
        yield
    finally:
        conn._gendan_flush_allowed = previous


def _sqlite_trigger_names(table: str) -> tuple[str, str]:
    return f"{table}_no_update", f"{table}_no_delete"


def append_only_triggers_drop(tables: list[str] | None = None) -> None:
    """Remove the triggers (a data repair by someone who owns the schema; tests of tamper detection).
    `append_only_triggers_install()` puts them back."""
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in tables or append_only_tables():
            if table not in existing:
                continue
            if connection.vendor == "sqlite":
                for name in _sqlite_trigger_names(table):
                    cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')
            elif connection.vendor == "postgresql":
                cursor.execute(f'DROP TRIGGER IF EXISTS "{table}_append_only" ON "{table}"')


def append_only_triggers_install() -> list[str]:
    existing = set(connection.introspection.table_names())
    tables = [t for t in append_only_tables() if t in existing]
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with connection.cursor() as cursor:
            for table in tables:
                no_update, no_delete = _sqlite_trigger_names(table)
                cursor.execute(
                    f'CREATE TRIGGER IF NOT EXISTS "{no_update}" BEFORE UPDATE ON "{table}" '
                    "BEGIN SELECT RAISE(ABORT, 'append-only table'); END"
                )
                cursor.execute(
                    f'CREATE TRIGGER IF NOT EXISTS "{no_delete}" BEFORE DELETE ON "{table}" '
                    f"WHEN {SQLITE_FUNCTION}() = 0 "
                    "BEGIN SELECT RAISE(ABORT, 'append-only table'); END"
                )
        return tables
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(FUNCTION)
        for table in tables:
            name = f"{table}_append_only"
            cursor.execute(f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"')
            cursor.execute(
                f'CREATE TRIGGER "{name}" BEFORE UPDATE OR DELETE ON "{table}" '
                "FOR EACH ROW EXECUTE FUNCTION gendan_append_only()"
            )
    return tables
