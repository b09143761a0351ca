"""Closing an order (issue 14 item 3): close short (短交结案), cancel the rest of a line, and the close of a
delivered order from whichever comes second, the payment or the last receipt. Each flow presses the buttons
the roles would (the order page's action table through the API) and ends with the ledger reconciled and the
order in a final state."""

import datetime as dt
from decimal import Decimal

import pytest

from gendan.accounts.services import api_token_create
from gendan.core.errors import TransitionError
from gendan.followup.models import ExceptionStatus, FollowupException
from gendan.followup.services import exception_raise
from gendan.ledger.models import LedgerState
from gendan.ledger.selectors import ledger_reconcile, ledger_views
from gendan.ledger.services import invoice_create, payment_record
from gendan.materials.models import MaterialRequirement, PurchaseRequest, PurchaseRequestStatus, Stock
from gendan.materials.services import bom_line_set, material_create, stock_adjust
from gendan.orders.models import Order, OrderEvent, OrderStatus
from gendan.shipping.models import ShipmentStatus
from gendan.shipping.services import shipment_create, shipment_receive
from tests.api.conftest import ApiClient
from tests.q2c import ORDER_DATE, order_in_production, shipment_payload, today

pytestmark = pytest.mark.django_db

DAY1 = dt.date(2026, 12, 10)


def assert_reconciled():
    result = ledger_reconcile()
    assert result.ok, result.problems


def client_of(user) -> ApiClient:
    _token, key = api_token_create(user=user, name=f"test {user.username}")
    return ApiClient(key)


def act(user, order: Order, action: str, **body):
    """The order page's action through the API (the same table and service as the screen)."""
    return client_of(user).post(f"/orders/{order.pk}/actions/{action}", body)


def test_close_short_cancels_the_rest_releases_materials_and_resolves_exceptions(people, customer, product):
    m1, sup, purchasing = people["m1"], people["sup"], people["purchasing"]
    # given a fabric on the style's BOM, half of what the order needs in stock (so some is reserved and
    # the rest requested from purchasing)
    fabric = material_create(actor=purchasing, data={"code": "FAB-1", "name": "精梳棉布", "unit": "kg"})
    bom_line_set(actor=purchasing, product=product, material=fabric, usage_per_unit="0.2")
    stock_adjust(actor=purchasing, material=fabric, quantity="30", note="盘点")
    order = order_in_production(people, customer, product)  # 100 × 12.50 + 200 × 8.00
    requirement = MaterialRequirement.objects.get(order=order)
    # 300 pieces × 0.2 kg = 60 kg needed, 30 on hand reserved, 30 requested
    assert (requirement.required, requirement.reserved) == (Decimal("60"), Decimal("30"))
    assert PurchaseRequest.objects.get(order=order).status == PurchaseRequestStatus.OPEN
    # and an open exception, and 60 of line 1 shipped
    with today(DAY1):
        exception = exception_raise(order=order, actor=m1, type="material", title="面料延迟")
        shipment = shipment_create(
            order=order, actor=m1, data=shipment_payload(order, {1: "60"}, ship_date=DAY1)
        )
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTIALLY_SHIPPED

    # when the merchandiser tries to close it short: not theirs to decide
    refused = act(m1, order, "close_short", reason="客户接受短交", customer_contact="王经理")
    assert refused.status_code == 403 and refused.json()["code"] == "role_not_allowed"
    # without a reason: a field error
    refused = act(sup, order, "close_short", reason=" ")
    assert refused.status_code == 400 and "reason" in refused.json()["extra"]["fields"]

    # when the supervisor closes it short with the customer's agreement
    with today(DAY1):
        response = act(
            sup, order, "close_short", reason="客户接受短交，余数不再生产", customer_contact="王经理"
        )

    # then the order is closed (final), the event says short with the shortfall and who agreed
    assert response.status_code == 200, response.content
    order.refresh_from_db()
    assert order.status == OrderStatus.CLOSED
    closing = order.events.get(type=OrderEvent.Type.TRANSITION, to_status=OrderStatus.CLOSED)
    assert closing.data["action"] == "close_short" and closing.data["short"] is True
    assert closing.data["shortfall"] == {"1": "40", "2": "200"}
    assert closing.data["customer_contact"] == "王经理" and closing.data["in_transit"] == [shipment.number]
    # the unshipped rest is cancelled on the lines; the order's value is what shipped: 60 × 12.50
    lines = list(order.lines.order_by("line_no"))
    assert [line.cancelled_quantity for line in lines] == [Decimal("40"), Decimal("200")]
    assert [line.quantity for line in lines] == [Decimal("100"), Decimal("200")]  # as ordered
    assert (order.total_quantity, order.total_amount) == (Decimal("60"), Decimal("750.00"))
    # the reservation went back to stock, the open purchase request is cancelled
    requirement.refresh_from_db()
    assert requirement.reserved == 0 and Stock.objects.get(material=fabric).reserved == 0
    assert PurchaseRequest.objects.get(order=order).status == PurchaseRequestStatus.CANCELLED
    # the open exception is resolved with the closing reason
    exception.refresh_from_db()
    assert exception.status == ExceptionStatus.RESOLVED and "客户接受短交" in exception.resolution

    # and the goods that left are still the customer's to sign for and pay: only they are invoiced
    with today(dt.date(2026, 12, 14)):
        shipment_receive(shipment=shipment, actor=m1, received_on="2026-12-13")
        invoice = invoice_create(
            actor=people["finance"], data={"invoice_date": "2026-12-14", "shipments": [shipment.pk]}
        )
        assert invoice.total_amount == Decimal("750.00")
        payment_record(
            actor=people["finance"],
            data={"received_on": "2026-12-14", "allocations": [{"invoice": invoice.pk, "amount": "750.00"}]},
        )
    assert {v.state for v in ledger_views(user=m1)} == {LedgerState.PAID}
    order.refresh_from_db()
    assert order.status == OrderStatus.CLOSED  # nothing reopened it
    # no later shipment can reopen it either
    later = dt.date(2026, 12, 15)
    with today(later), pytest.raises(TransitionError):
        shipment_create(order=order, actor=m1, data=shipment_payload(order, {2: "10"}, ship_date=later))
    order.refresh_from_db()
    assert order.status == OrderStatus.CLOSED
    assert_reconciled()


def test_close_short_refused_when_nothing_shipped(people, customer, product):
    order = order_in_production(people, customer, product)
    response = act(people["sup"], order, "close_short", reason="客户不要了")
    assert response.status_code == 409
    assert response.json()["code"] == "nothing_shipped"
    order.refresh_from_db()
    assert order.status == OrderStatus.IN_PRODUCTION
    assert not FollowupException.objects.filter(order=order).exists()


def test_cancel_rest_of_lines_derives_shipped_then_delivered_and_closed(people, customer, product):
    m1, sup, finance = people["m1"], people["sup"], people["finance"]
    order = order_in_production(people, customer, product)
    with today(DAY1):
        first = shipment_create(
            order=order, actor=m1, data=shipment_payload(order, {1: "100", 2: "150"}, ship_date=DAY1)
        )
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTIALLY_SHIPPED

    # refused: more than the unshipped rest (a field error), and by a merchandiser
    response = act(sup, order, "cancel_rest", line_no=2, quantity="60", reason="客户只要150")
    assert response.status_code == 400, response.content
    assert "quantity" in response.json()["extra"]["fields"]
    assert act(m1, order, "cancel_rest", line_no=2, reason="客户只要150").status_code == 403
    # refused: a line that is not the order's
    assert act(sup, order, "cancel_rest", line_no=9, reason="x").status_code == 400

    # when the supervisor cancels the rest of line 2 (50 of 200)
    response = act(sup, order, "cancel_rest", line_no=2, reason="客户只要150")
    assert response.status_code == 200, response.content
    order.refresh_from_db()
    # then every line is shipped or cancelled: the order derives to shipped
    assert order.status == OrderStatus.SHIPPED
    line2 = order.lines.get(line_no=2)
    assert (line2.quantity, line2.cancelled_quantity) == (Decimal("200"), Decimal("50"))
    # 100 × 12.50 + 150 × 8.00
    assert (order.total_quantity, order.total_amount) == (Decimal("250"), Decimal("2450.00"))
    event = order.events.get(type=OrderEvent.Type.LINE_CANCELLED)
    assert event.data["lines"] == {"2": "50"} and event.note == "客户只要150" and event.actor == sup
    # the order is shipped: no more cancelling (it is not in production nor partly shipped)
    refused = act(sup, order, "cancel_rest", line_no=1, reason="再取消")
    assert refused.status_code == 409 and refused.json()["code"] == "order_not_shipping"

    # the customer signs, is invoiced and pays: delivered → closed by the payment
    with today(dt.date(2026, 12, 14)):
        shipment_receive(shipment=first, actor=m1, received_on="2026-12-13")
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED
    with today(dt.date(2026, 12, 20)):
        invoice = invoice_create(actor=finance, data={"invoice_date": "2026-12-20", "shipments": [first.pk]})
        assert invoice.total_amount == Decimal("2450.00")
        payment_record(
            actor=finance,
            data={"received_on": "2026-12-20", "allocations": [{"invoice": invoice.pk, "amount": "2450.00"}]},
        )
    order.refresh_from_db()
    assert order.status == OrderStatus.CLOSED
    assert_reconciled()


def test_cancel_rest_refused_when_it_would_leave_an_order_that_shipped_nothing(people, customer, product):
    order = order_in_production(
        people, customer, product, lines=[{"product": product.code, "quantity": "50", "unit_price": "2"}]
    )
    response = act(people["sup"], order, "cancel_rest", line_no=1, reason="客户不要了")
    assert response.status_code == 409 and response.json()["code"] == "nothing_shipped"
    order.refresh_from_db()
    assert order.status == OrderStatus.IN_PRODUCTION and order.lines.get().cancelled_quantity == 0


def test_paid_before_the_last_receipt_closes_on_the_receipt(people, customer, product):
    m1, finance, sup = people["m1"], people["finance"], people["sup"]
    order = order_in_production(people, customer, product)
    with today(DAY1):
        shipment = shipment_create(
            order=order, actor=m1, data=shipment_payload(order, {1: "100", 2: "200"}, ship_date=DAY1)
        )
        # invoiced and paid in full while the goods are on the road (款到发货 / prepaid terms)
        invoice = invoice_create(
            actor=finance, data={"invoice_date": "2026-12-10", "shipments": [shipment.pk]}
        )
        payment_record(
            actor=finance,
            data={
                "received_on": "2026-12-10",
                "allocations": [{"invoice": invoice.pk, "amount": str(invoice.total_amount)}],
            },
        )
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED  # paid, not yet signed for
    # when the merchandiser records the customer's receipt (a role that may not close by hand)
    with today(dt.date(2026, 12, 14)):
        shipment_receive(shipment=shipment, actor=m1, received_on="2026-12-13")
    # then the order is delivered and, being settled, closed at once by the system's `settle` step
    order.refresh_from_db()
    assert order.status == OrderStatus.CLOSED
    transitions = list(
        order.events.filter(type=OrderEvent.Type.TRANSITION)
        .order_by("pk")
        .values_list("data__action", flat=True)
    )
    assert transitions[-2:] == ["deliver", "settle"]
    assert shipment.__class__.objects.get(pk=shipment.pk).status == ShipmentStatus.RECEIVED
    # a manual close is no longer offered
    assert "close" not in client_of(sup).get(f"/orders/{order.pk}").json()["allowed_actions"]
    assert_reconciled()


def test_manual_close_waits_for_settlement(people, customer, product):
    m1, finance, sup = people["m1"], people["finance"], people["sup"]
    order = order_in_production(people, customer, product)
    with today(DAY1):
        shipment = shipment_create(
            order=order, actor=m1, data=shipment_payload(order, {1: "100", 2: "200"}, ship_date=DAY1)
        )
        shipment_receive(shipment=shipment, actor=m1, received_on="2026-12-10")
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED
    assert "close" in client_of(sup).get(f"/orders/{order.pk}").json()["allowed_actions"]
    # not invoiced: refused
    response = act(sup, order, "close")
    assert response.status_code == 409 and response.json()["code"] == "not_settled"
    # invoiced and part paid: still refused; the merchandiser may not close at all
    with today(DAY1):
        invoice = invoice_create(
            actor=finance, data={"invoice_date": "2026-12-10", "shipments": [shipment.pk]}
        )
    assert act(m1, order, "close").status_code == 403
    assert act(sup, order, "close").json()["code"] == "not_settled"
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED
    # paid: the payment closes it (finance may close); the manual close is then not needed
    with today(dt.date(2026, 12, 20)):
        payment_record(
            actor=finance,
            data={
                "received_on": "2026-12-20",
                "allocations": [{"invoice": invoice.pk, "amount": str(invoice.total_amount)}],
            },
        )
    order.refresh_from_db()
    assert order.status == OrderStatus.CLOSED
    assert_reconciled()


def test_out_of_scope_closing_actions_are_404(people, customer, product):
    order = order_in_production(people, customer, product)
    with today(DAY1):
        shipment_create(
            order=order, actor=people["m1"], data=shipment_payload(order, {1: "60"}, ship_date=DAY1)
        )
    # sup2 leads another team: the order does not exist for them
    for action, body in (
        ("close_short", {"reason": "x"}),
        ("cancel_rest", {"line_no": 1, "reason": "x"}),
        ("close", {}),
    ):
        response = act(people["sup2"], order, action, **body)
        assert response.status_code == 404, (action, response.content)
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTIALLY_SHIPPED
    assert order.lines.filter(cancelled_quantity__gt=0).count() == 0
    assert ORDER_DATE  # the order was taken in on the q2c date
