"""Event and audit tables refuse UPDATE (and, on PostgreSQL, DELETE) in the database itself.

The models already refuse it in Python (EventModel.save/delete); the trigger also stops raw SQL, bulk
`QuerySet.update()/delete()` and other clients. TRUNCATE (test flushes) is not affected.
"""

from django.apps import apps
from django.db import connection

from gendan.core.models import AuditLog, EventModel

FUNCTION = """
CREATE OR REPLACE FUNCTION gendan_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def append_only_tables() -> list[str]:
    tables = [
        m._meta.db_table for m in apps.get_models() if issubclass(m, EventModel) and not m._meta.abstract
    ]
    tables += [m._meta.db_table for m in apps.get_models() if getattr(m, "append_only", False)]
    return sorted({*tables, AuditLog._meta.db_table})


def append_only_triggers_install() -> list[str]:
    existing = set(connection.introspection.table_names())
    if connection.vendor == "sqlite":
        # UPDATE only: Django flushes SQLite test databases with DELETE; the models refuse deletes.
        with connection.cursor() as cursor:
            for table in append_only_tables():
                if table in existing:
                    cursor.execute(
                        f'CREATE TRIGGER IF NOT EXISTS "{table}_no_update" BEFORE UPDATE ON "{table}" '
                        "BEGIN SELECT RAISE(ABORT, 'append-only table'); END"
                    )
        return [t for t in append_only_tables() if t in existing]
    if connection.vendor != "postgresql":
        return []
    installed = []
    with connection.cursor() as cursor:
        cursor.execute(FUNCTION)
        for table in append_only_tables():
            if table not in existing:
                continue
            name = f"{table}_append_only"
            cursor.execute(f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"')
            cursor.execute(
                f'CREATE TRIGGER "{name}" BEFORE UPDATE OR DELETE ON "{table}" '
                "FOR EACH ROW EXECUTE FUNCTION gendan_append_only()"
            )
            installed.append(table)
    return installed
