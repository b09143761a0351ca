"""The duplicate customer-PO check, single and batch path: any case (ASCII letters on SQLite, as its LIKE),
cancelled orders aside, the order being edited aside, and looked up on its index."""

import pytest
from django.db import connection

from gendan.core.errors import ApplicationError
from gendan.orders.selectors import (
    _duplicate_numbers_sql,
    order_duplicate_numbers,
    order_duplicates,
    order_duplicates_by_po,
)
from gendan.orders.services import order_cancel, order_create, order_create_many, order_update
from tests.factories import order_payload
from tests.query_plans import query_plan


@pytest.mark.parametrize("po", ["PO-7", "ÄÖ-订单-1", "订单 A/7"])
def test_same_po_again_is_a_duplicate_on_both_paths(people, customer, product, po):
    first = order_create(actor=people["m1"], data=order_payload(customer, product, customer_po=po))
    for again in (po, po.lower(), po.upper()):
        if not again.isascii() and again != po and connection.vendor == "sqlite":
            continue  # SQLite folds the case of ASCII letters only (as iexact's LIKE did)
        with pytest.raises(ApplicationError) as single:
            order_create(actor=people["m1"], data=order_payload(customer, product, customer_po=again))
        assert single.value.code == "duplicate_po" and single.value.extra["duplicates"] == [first.number]
        with pytest.raises(ApplicationError) as batch:
            order_create_many(actor=people["m1"], rows=[order_payload(customer, product, customer_po=again)])
        assert batch.value.extra["duplicates"] == [first.number]
    assert order_duplicates_by_po({(customer.pk, f" {po} ")}) == {
        (customer.pk, po.casefold()): [first.number]
    }


def test_other_customer_cancelled_order_and_the_order_itself_are_no_duplicates(
    people, customer, other_customer, product
):
    order = order_create(actor=people["m1"], data=order_payload(customer, product, customer_po="P-1"))
    order_create(actor=people["m3"], data=order_payload(other_customer, product, customer_po="P-2"))
    assert not order_duplicates(customer_id=customer.pk, customer_po="P-2").exists()
    # editing an order keeps its own PO
    order_update(
        order=order, actor=people["m1"], version=1, data=order_payload(customer, product, customer_po="p-1")
    )
    order_cancel(order=order, actor=people["sup"], reason="客户取消")
    assert not order_duplicates(customer_id=customer.pk, customer_po="P-1").exists()
    assert order_create(actor=people["m1"], data=order_payload(customer, product, customer_po="P-1")).number


def test_the_prepared_statement_answers_as_the_queryset(people, customer, other_customer, product):
    # seven repeats (more than the five named), one cancelled, case variants, another customer's same PO
    orders = [
        order_create(
            actor=people["m1"],
            data=order_payload(
                customer, product, customer_po=po, confirm_repeat=k > 0, repeat_reason="追加" if k else ""
            ),
        )
        for k, po in enumerate(["R-9", "r-9", "R-9 ", "R-9", "r-9", "R-9", "R-9"])
    ]
    order_create(actor=people["m3"], data=order_payload(other_customer, product, customer_po="R-9"))
    order_cancel(order=orders[3], actor=people["sup"], reason="取消")
    for po in ("R-9", " r-9", "R-99", "Q"):
        for exclude in (None, orders[6].pk, orders[0].pk):
            expected = list(
                order_duplicates(customer_id=customer.pk, customer_po=po, exclude_pk=exclude).values_list(
                    "number", flat=True
                )[:5]
            )
            got = order_duplicate_numbers(customer_id=customer.pk, customer_po=po, exclude_pk=exclude)
            assert got == expected, (po, exclude)
    assert len(order_duplicate_numbers(customer_id=customer.pk, customer_po="R-9")) == 5


@pytest.mark.django_db
def test_duplicates_are_looked_up_on_the_index():
    plain, excluding = _duplicate_numbers_sql()
    statements = [
        order_duplicates(customer_id=1, customer_po="X").values("number").query.sql_with_params(),
        (plain, [1, "X", "cancelled", 5]),
        (excluding, [1, "X", "cancelled", 2, 5]),
    ]
    if connection.vendor == "postgresql":
        # its planner picks by statistics (on a test's few rows, the primary key backwards): what is checked
        # is that the index the statements are written for exists with the same expression
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'orders_customer_po_lower'")
            (definition,) = cursor.fetchone()
        assert "(customer_id, lower((customer_po)::text))" in definition, definition
        return
    for sql, params in statements:
        plan = query_plan(sql, params)
        assert "orders_customer_po_lower (customer_id=? AND <expr>=?)" in plan, plan
