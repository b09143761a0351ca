"""Batch intake (order_create_many / order_create_batch): each order checked like a single one, all
created in one transaction with consecutive numbers, or none."""

import pytest

from gendan.core.errors import ApplicationError, PermissionDeniedError, ValidationFailed
from gendan.core.models import DocumentCounter
from gendan.orders.models import Order, OrderEvent, OrderLine, OrderLineSize
from gendan.orders.services import order_create, order_create_many
from tests.factories import order_payload


def _batch(customer, product, n: int, **overrides) -> list[dict]:
    return [order_payload(customer, product, customer_po=f"B-{k}", **overrides) for k in range(n)]


def test_batch_creates_every_order_with_consecutive_numbers_lines_sizes_and_events(people, customer, product):
    order_create(actor=people["m1"], data=order_payload(customer, product, customer_po="FIRST"))
    orders = order_create_many(actor=people["m1"], rows=_batch(customer, product, 3))
    assert [o.number for o in orders] == ["SO2026-000002", "SO2026-000003", "SO2026-000004"]
    for order in orders:
        order.refresh_from_db()
        assert (
            order.status == "draft"
            and order.merchandiser == people["m1"]
            and order.created_by == people["m1"]
        )
        assert str(order.total_amount) == "1250.00"
        line = order.lines.get()
        assert [(s.size, int(s.quantity)) for s in line.sizes.order_by("position")] == [
            ("S", 30),
            ("M", 40),
            ("L", 30),
        ]
        assert list(order.events.values_list("type", "to_status")) == [(OrderEvent.Type.CREATED, "draft")]
    # the next single order continues the series: no gap, no reuse
    assert order_create(
        actor=people["m1"], data=order_payload(customer, product, customer_po="N")
    ).number == ("SO2026-000005")


def test_one_bad_order_saves_nothing_and_names_the_field(people, customer, product):
    rows = _batch(customer, product, 3)
    rows[1]["lines"][0]["quantity"] = "0"
    rows[2]["customer"] = "NO-SUCH"
    with pytest.raises(ValidationFailed) as exc:
        order_create_many(actor=people["m1"], rows=rows)
    assert {"orders.1.lines.0.quantity", "orders.2.customer"} <= set(exc.value.fields)
    assert "orders.0.customer" not in exc.value.fields
    assert Order.objects.count() == OrderLine.objects.count() == OrderLineSize.objects.count() == 0
    assert sum(DocumentCounter.objects.values_list("last", flat=True)) == 0


def test_scope_applies_to_every_order(people, customer, other_customer, product):
    # other_customer belongs to another team's merchandiser: m1 may not take orders for it
    rows = _batch(customer, product, 2)
    rows[1]["customer"] = other_customer.code
    with pytest.raises(ValidationFailed) as exc:
        order_create_many(actor=people["m1"], rows=rows)
    assert list(exc.value.fields) == ["orders.1.customer"]
    with pytest.raises(PermissionDeniedError):
        order_create_many(actor=people["auditor"], rows=_batch(customer, product, 1))
    assert not Order.objects.exists()


def test_duplicate_po_in_file_or_batch_refused_unless_confirmed(people, customer, product):
    order_create(actor=people["m1"], data=order_payload(customer, product, customer_po="B-1"))
    with pytest.raises(ApplicationError) as on_file:
        order_create_many(actor=people["m1"], rows=_batch(customer, product, 3))
    assert on_file.value.code == "duplicate_po" and "orders.1.customer_po" in on_file.value.extra["fields"]
    twice = [
        order_payload(customer, product, customer_po="X"),
        order_payload(customer, product, customer_po="x"),
    ]
    with pytest.raises(ApplicationError) as in_batch:
        order_create_many(actor=people["m1"], rows=twice)
    assert "orders.1.customer_po" in in_batch.value.extra["fields"]
    assert Order.objects.count() == 1
    twice[1].update(confirm_repeat=True, repeat_reason="客户追加同款")
    first, repeat = order_create_many(actor=people["m1"], rows=twice)
    assert repeat.is_repeat and not first.is_repeat
    confirmed = repeat.events.get(type=OrderEvent.Type.DUPLICATE_CONFIRMED)
    assert confirmed.note == "客户追加同款" and confirmed.data == {"duplicates": ["#1"]}


@pytest.mark.parametrize(
    ("rows", "message"),
    [([], "at least one"), ("x", "at least one"), ([1], "object"), ([{}] * 501, "500")],
)
def test_batch_shape_is_checked(people, rows, message):
    with pytest.raises(ValidationFailed) as exc:
        order_create_many(actor=people["m1"], rows=rows)
    assert message in exc.value.fields["orders"][0]
