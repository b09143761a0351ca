from decimal import Decimal

import pytest

from gendan.core.errors import ApplicationError, ConflictError, PermissionDeniedError, TransitionError
from gendan.orders.models import OrderEvent, OrderStatus
from gendan.orders.services import order_cancel, order_create, order_update
from tests.factories import order_payload


def test_create_order_numbers_totals_sizes_and_event(people, customer, product):
    # given a valid order with a colour × size breakdown
    data = order_payload(customer, product)
    # when the merchandiser creates it
    order = order_create(actor=people["m1"], data=data)
    # then it has a number of the order year, totals, the sizes and a "created" event
    assert order.number == "SO2026-000001"
    assert order.status == OrderStatus.DRAFT
    assert order.total_amount == Decimal("1250.00")
    line = order.lines.get()
    assert [(s.size, s.quantity) for s in line.sizes.all()] == [("S", 30), ("M", 40), ("L", 30)]
    assert list(order.events.values_list("type", flat=True)) == [OrderEvent.Type.CREATED]
    assert order.merchandiser == people["m1"]


def test_duplicate_po_refused_unless_deliberate_repeat(people, customer, product):
    order_create(actor=people["m1"], data=order_payload(customer, product))
    with pytest.raises(ApplicationError) as exc:
        order_create(actor=people["m1"], data=order_payload(customer, product))
    assert exc.value.code == "duplicate_po"
    repeat = order_create(
        actor=people["m1"],
        data=order_payload(customer, product, confirm_repeat=True, repeat_reason="客户追加同款"),
    )
    assert repeat.is_repeat
    assert repeat.events.filter(type=OrderEvent.Type.DUPLICATE_CONFIRMED).exists()


def test_stale_update_is_refused(people, customer, product):
    order = order_create(actor=people["m1"], data=order_payload(customer, product))
    order_update(
        order=order, actor=people["m1"], version=1, data=order_payload(customer, product, customer_po="X")
    )
    with pytest.raises(ConflictError):
        order_update(
            order=order, actor=people["m1"], version=1, data=order_payload(customer, product, customer_po="Y")
        )
    order.refresh_from_db()
    assert order.customer_po == "X" and order.version == 2


def test_auditor_cannot_create(people, customer, product):
    with pytest.raises(PermissionDeniedError):
        order_create(actor=people["auditor"], data=order_payload(customer, product))


def test_cancel_needs_reason_and_role(people, customer, product):
    order = order_create(actor=people["m1"], data=order_payload(customer, product))
    with pytest.raises(PermissionDeniedError):
        order_cancel(order=order, actor=people["m1"], reason="x")
    with pytest.raises(ApplicationError):
        order_cancel(order=order, actor=people["sup"], reason="")
    order = order_cancel(order=order, actor=people["sup"], reason="客户取消")
    assert order.status == OrderStatus.CANCELLED
    with pytest.raises(TransitionError):
        order_cancel(order=order, actor=people["sup"], reason="again")
