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
_INCREMENT = (
    f'UPDATE "{_TABLE}" SET "last" = "last" + %s WHERE "series" = %s AND "year" = %s RETURNING "last"'  # noqa: S608
)


def document_number_next(*, series: str, year: int | None = None, width: int = 6) -> str:
    return document_numbers_next(series=series, year=year, count=1, width=width)[0]


def document_numbers_next(*, series: str, year: int | None = None, count: int, width: int = 6) -> list[str]:
    """`count` consecutive numbers, drawn in the caller's transaction (a batch of documents)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("document numbers must be drawn inside the document's transaction")
    if count < 1:
        return []
    year = year or timezone.localdate().year
    # One statement in the usual case: the increment takes the row lock and returns the new value
    # (UPDATE … RETURNING: SQLite ≥ 3.35, PostgreSQL).
    with connection.cursor() as cursor:
        cursor.execute(_INCREMENT, [count, series, year])
        row = cursor.fetchone()
    if row is not None:
        last = row[0]
    else:
        # The first number of a series and year: create the row (a racing creator waits on the lock or retries).
        counter, _created = DocumentCounter.objects.select_for_update().get_or_create(
            series=series, year=year
        )
        DocumentCounter.objects.filter(pk=counter.pk).update(last=F("last") + count)
        counter.refresh_from_db(fields=["last"])
        last = counter.last
    return [f"{series}{year}-{n:0{width}d}" for n in range(last - count + 1, last + 1)]
