"""Gap-free document numbers: a counter row updated in the same transaction as the document.

If the document's transaction rolls back, so does the counter, so no number is lost. On SQLite
the transaction starts IMMEDIATE (settings); on PostgreSQL the row is locked FOR UPDATE.
"""

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from gendan.core.models import DocumentCounter

# Our own model's table name (not input); series and year are bound parameters.
_TABLE = DocumentCounter._meta.db_table
_INCREMENT = f'UPDATE "{_TABLE}" SET "last" = "last" + 1 WHERE "series" = %s AND "year" = %s RETURNING "last"'  # noqa: S608


def document_number_next(*, series: str, year: int | None = None, width: int = 6) -> str:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("document numbers must be drawn inside the document's transaction")
    year = year or timezone.localdate().year
    # One statement in the usual case: the increment takes the row lock and returns the new value
    # (UPDATE … RETURNING: SQLite ≥ 3.35, PostgreSQL).
    with connection.cursor() as cursor:
        cursor.execute(_INCREMENT, [series, year])
        row = cursor.fetchone()
    if row is not None:
        return f"{series}{year}-{row[0]:0{width}d}"
    # The first number of a series and year: create the row (a racing creator waits on the lock or retries).
    counter, _created = DocumentCounter.objects.select_for_update().get_or_create(series=series, year=year)
    DocumentCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    counter.refresh_from_db(fields=["last"])
    return f"{series}{year}-{counter.last:0{width}d}"
