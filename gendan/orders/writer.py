"""Plain-SQL INSERTs for order intake: the rows the ORM would write, without its per-value machinery.

Django's bulk_create spends most of an intake's time preparing values (pre_save, get_db_prep_save,
field_as_sql per value and per row). A TableWriter builds its statements once from the model's `_meta`
(table and column names quoted by the backend) and prepares each value with the field's own
`get_db_prep_save`, except for the Python types that method returns unchanged on this connection (str for
text, int for integers and foreign keys, bool, Decimal, None for NULL: `passthrough_types`, probed once per
field). tests/orders/test_writer.py checks that for every column and compares written rows with the ORM's. Columns the caller does not give get the field's default, and
auto_now / auto_now_add fields the caller's `now`, as a save would.

It runs on Django's connection, inside the caller's transaction. Rows whose ids are needed go in multi-row
`INSERT … RETURNING` statements (SQLite ≥ 3.35, PostgreSQL), the others in one executemany.
"""

import functools
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from django.db import NotSupportedError, connection, models

# Python types for which a field's get_db_prep_save may be the identity: str for text, int for integers and
# foreign keys, bool, Decimal. Whether it is on this backend is asked once per field (PostgreSQL, for one,
# wraps integers in typed adapters); anything else goes through get_db_prep_save.
_TEXT = (models.CharField, models.TextField)
_INTEGER = (models.IntegerField, models.AutoField, models.BigAutoField, models.SmallAutoField)
_PROBES: dict[type, Any] = {str: "x", int: 7, bool: True, Decimal: Decimal("1.50")}


def passthrough_types(field: models.Field) -> tuple[type, ...]:
    """The Python types whose values `field` writes unchanged on this connection (None among them, as
    NoneType, when a NULL is written as None)."""
    kinds = (type(None),) if field.get_db_prep_save(None, connection) is None else ()
    kind = passthrough_type(field)
    return (*kinds, kind) if kind else kinds


def passthrough_type(field: models.Field) -> type | None:
    """The Python type (None aside) whose values `field` writes unchanged on this connection, if any."""
    target = field.target_field if field.is_relation else field
    kind: type | None = None
    if isinstance(target, models.BooleanField):
        kind = bool
    elif isinstance(target, _INTEGER):
        kind = int
    elif isinstance(target, models.DecimalField):
        kind = Decimal
    elif isinstance(target, _TEXT) and not isinstance(target, models.GenericIPAddressField):
        kind = str
    if kind is None:
        return None
    probe = _PROBES[kind]
    prepared = field.get_db_prep_save(probe, connection)
    return kind if type(prepared) is kind and prepared == probe and str(prepared) == str(probe) else None


# No source for a column: take the field's default (a constant, or a callable called per row), or `now`.
_DEFAULT, _CALL, _NOW = -1, -2, -3


class TableWriter:
    """INSERTs into one model's table. `columns`: the attnames the caller gives in each row, in order."""

    def __init__(self, model: type[models.Model], columns: Sequence[str]) -> None:
        if not connection.features.can_return_rows_from_bulk_insert:
            raise NotSupportedError("TableWriter needs INSERT … RETURNING (SQLite ≥ 3.35 or PostgreSQL)")
        meta = model._meta
        self.model = model
        self.fields = [
            f for f in meta.concrete_fields if not (f.primary_key and isinstance(f, models.AutoField))
        ]
        given = {name: index for index, name in enumerate(columns)}
        unknown = set(given) - {f.attname for f in self.fields}
        if unknown:
            raise ValueError(f"{model.__name__} has no columns {sorted(unknown)}")
        self.plan: list[tuple[int, Any, Callable | None, tuple[type, ...]]] = []
        for field in self.fields:
            prep = functools.partial(field.get_db_prep_save, connection=connection)
            if field.attname in given:
                self.plan.append((given[field.attname], None, prep, passthrough_types(field)))
            elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                self.plan.append((_NOW, None, prep, ()))
            elif field.has_default() and callable(field.default):
                self.plan.append((_CALL, field.get_default, prep, ()))
            else:
                self.plan.append(
                    (_DEFAULT, field.get_db_prep_save(field.get_default(), connection), None, ())
                )
        quote = connection.ops.quote_name
        self.table = quote(meta.db_table)
        self.names = ", ".join(quote(f.column) for f in self.fields)
        self.placeholders = "(" + ", ".join(["%s"] * len(self.fields)) + ")"
        # names from _meta, values bound
        self.insert_one = f"INSERT INTO {self.table} ({self.names}) VALUES {self.placeholders}"  # noqa: S608
        self.max_rows = max(1, (connection.features.max_query_params or 65535) // len(self.fields))
        self._statements: dict[tuple[int, tuple[str, ...]], str] = {}

    def rows(self, rows: Sequence[Sequence[Any]], now: Any) -> list[list[Any]]:
        """The rows' database values, in the table's column order."""
        fixed = [
            default if source == _DEFAULT else prep(now) if source == _NOW else None
            for source, default, prep, _type in self.plan
        ]
        plan = list(zip(self.plan, fixed, strict=True))
        out = []
        for values in rows:
            row = []
            for (source, default, prep, passthrough), constant in plan:
                if source >= 0:
                    value = values[source]
                    row.append(value if type(value) in passthrough else prep(value))
                elif source == _CALL:
                    row.append(prep(default()))
                else:
                    row.append(constant)
            out.append(row)
        return out

    def insert(
        self, rows: Sequence[Sequence[Any]], *, now: Any, returning: Sequence[str] = ()
    ) -> list[tuple]:
        """Write `rows` (values in `columns` order). With `returning` (column names): the rows' values of
        those columns, in no particular order — map them back by a unique key you returned too."""
        if not connection.in_atomic_block:
            raise RuntimeError("TableWriter writes inside the caller's transaction (transaction.atomic)")
        prepared = self.rows(rows, now)
        if not prepared:
            return []
        if not returning:
            with connection.cursor() as cursor:
                cursor.executemany(self.insert_one, prepared)
            return []
        result: list[tuple] = []
        with connection.cursor() as cursor:
            for start in range(0, len(prepared), self.max_rows):
                chunk = prepared[start : start + self.max_rows]
                cursor.execute(
                    self._statement(len(chunk), tuple(returning)), [v for row in chunk for v in row]
                )
                result.extend(cursor.fetchall())
        return result

    def _statement(self, count: int, returning: tuple[str, ...]) -> str:
        key = (count, returning)
        if key not in self._statements:
            quote = connection.ops.quote_name
            values = ", ".join([self.placeholders] * count)
            self._statements[key] = (
                f"INSERT INTO {self.table} ({self.names}) VALUES {values} "  # noqa: S608 - names from _meta
                f"RETURNING {', '.join(quote(self.model._meta.get_field(c).column) for c in returning)}"
            )
        return self._statements[key]
