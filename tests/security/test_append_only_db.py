"""Issue 21 item 4, as the probe did it: UPDATE and DELETE on every append-only table (all event tables, the
audit log, the ledger) are refused by the database itself — raw SQL, bulk queryset calls and the model's
own methods — on SQLite and on PostgreSQL."""

import pytest
from django.db import DatabaseError, connection, transaction

from gendan.core.append_only import append_only_tables
from gendan.core.models import AppendOnlyError, AuditLog
from gendan.ledger.models import LedgerEntry
from gendan.orders.models import OrderEvent

pytestmark = pytest.mark.django_db


def _first_id(table: str) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT MIN(id) FROM "{table}"')
        return cursor.fetchone()[0]


def _refused(sql: str, params=()) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError as exc:
        return "append-only" in str(exc)
    return False


def _triggers(table: str) -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table])
            found = " ".join(row[0].upper() for row in cursor.fetchall())
            return {op for op in ("UPDATE", "DELETE") if f"BEFORE {op} ON" in found}
        cursor.execute(
            "SELECT pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE c.relname = %s AND NOT t.tgisinternal",
            [table],
        )
        found = " ".join(row[0].upper() for row in cursor.fetchall())
        return {op for op in ("UPDATE", "DELETE") if op in found}


def test_every_append_only_table_refuses_raw_update_and_delete(world, record_property):
    AuditLog.objects.create(action=AuditLog.Action.EXPORT, what="orders")
    tables = append_only_tables()
    assert {"orders_orderevent", AuditLog._meta.db_table, LedgerEntry._meta.db_table} <= set(tables)
    tried, without_rows = [], []
    for table in tables:
        assert _triggers(table) == {"UPDATE", "DELETE"}, table
        row = _first_id(table)
        if row is None:
            without_rows.append(table)
            continue
        assert _refused(f'UPDATE "{table}" SET id = id WHERE id = %s', [row]), table
        assert _refused(f'DELETE FROM "{table}" WHERE id = %s', [row]), table
        assert _refused(f'DELETE FROM "{table}"'), table
        assert _first_id(table) == row
        tried.append(table)
    record_property("append_only_tables", tried)
    assert without_rows == [] and len(tried) == len(tables) >= 9, (tried, without_rows)


def test_bulk_queryset_and_model_changes_are_refused(world):
    event = OrderEvent.objects.order_by("id").first()
    entry = LedgerEntry.objects.order_by("id").first()
    audit = AuditLog.objects.create(action=AuditLog.Action.EXPORT, what="orders")
    assert event and entry and audit
    for queryset, change in (
        (OrderEvent.objects.filter(pk=event.pk), {"note": "rewritten"}),
        (LedgerEntry.objects.filter(pk=entry.pk), {"quantity": 0}),
        (AuditLog.objects.filter(pk=audit.pk), {"what": "x"}),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            queryset.update(**change)
        with pytest.raises(DatabaseError), transaction.atomic():
            queryset._raw_delete(queryset.db)
        with pytest.raises((AppendOnlyError, DatabaseError)), transaction.atomic():
            queryset.get().delete()
    assert OrderEvent.objects.get(pk=event.pk).note == event.note
