"""Foreign keys of the intake tables whose single-column index was dropped: a composite index (or unique
constraint) leads with the column, so lookups by it still use an index, and no redundant index is left to
write on every intake. The order's customer, merchandiser and salesperson keep theirs: the scoped lists walk
them newest first (migration 0007)."""

import pytest
from django.db import connection

from gendan.orders.models import OrderEvent, OrderLine, OrderLineSize
from tests.query_plans import query_plan, uses_an_index

COVERED = [
    (OrderEvent, "order_id"),
    (OrderLine, "order_id"),
    (OrderLineSize, "line_id"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("model", "column"), COVERED)
def test_fk_has_no_own_index_and_a_composite_leads_with_it(model, column):
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    indexes = [c["columns"] for c in constraints.values() if c["index"] or c["unique"]]
    assert [column] not in indexes
    assert any(len(columns) > 1 and columns[0] == column for columns in indexes), indexes


@pytest.mark.django_db
def test_lookups_by_those_columns_use_an_index():
    for model, column in COVERED:
        table = connection.ops.quote_name(model._meta.db_table)
        plan = query_plan(f'SELECT * FROM {table} WHERE "{column}" = 1')
        assert uses_an_index(plan), (model, plan)


@pytest.mark.django_db
def test_a_merchandisers_orders_come_newest_first_from_an_index():
    # the single-column indexes migration 0007 brought back, on both databases
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "orders_order")
    single = [c["columns"] for c in constraints.values() if c["index"] and len(c["columns"]) == 1]
    for column in ("customer_id", "merchandiser_id", "salesperson_id"):
        assert [column] in single, single
    if connection.vendor == "sqlite":  # its index entries end with the rowid: walked in order, never sorted
        plan = query_plan(
            'SELECT "id" FROM "orders_order" WHERE "merchandiser_id" IN (1) ORDER BY "id" DESC LIMIT 50'
        )
        assert uses_an_index(plan) and "TEMP B-TREE" not in plan, plan
