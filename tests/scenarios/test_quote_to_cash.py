"""From inquiry to cash (SPEC §2.1, §2.10, §2.11): the buttons a salesperson, a merchandiser, the review
departments, the planner and finance press, in order. The ledger equals the shipments at every step."""

import datetime as dt
from decimal import Decimal

from gendan.ledger.models import LedgerState
from gendan.ledger.selectors import ledger_reconcile, ledger_totals, ledger_views, receivables_ageing
from gendan.ledger.services import invoice_create, payment_record
from gendan.orders.models import OrderEvent, OrderStatus
from gendan.quotes.models import InquiryStatus, QuotationStatus
from gendan.quotes.selectors import inquiries_waiting
from gendan.quotes.services import inquiry_create, quotation_accept, quotation_create, quotation_send
from gendan.shipping.models import Shipment, ShipmentStatus
from gendan.shipping.services import shipment_create, shipment_receive
from gendan.visits.models import ReturnVisit
from tests.factories import ProductFactory
from tests.q2c import ORDER_DATE, shipment_payload, to_production, today


def assert_ledger_equals_shipments(user):
    result = ledger_reconcile()
    assert result.ok, result.problems
    live = Shipment.objects.exclude(status=ShipmentStatus.CANCELLED)
    totals = ledger_totals(ledger_views(user=user))
    assert totals.quantity == sum((s.total_quantity for s in live), Decimal("0")) == result.ledger_quantity
    assert totals.amount == sum((s.total_amount for s in live), Decimal("0")) == result.ledger_amount


def test_inquiry_to_cash(people, customer):
    sales, m1, finance = people["sales"], people["m1"], people["finance"]
    shirt = ProductFactory(code="TS-01", name="圆领T恤")
    polo = ProductFactory(code="PL-02", name="POLO衫")

    # 1. the customer asks; the salesperson quotes from a cost build-up; the customer accepts
    with today(ORDER_DATE):
        inquiry = inquiry_create(
            actor=sales,
            data={
                "customer": customer.code,
                "subject": "春季T恤与POLO",
                "received_at": "2026-11-25",
                "items": [
                    {"product": shirt.code, "quantity": "1000", "target_price": "20"},
                    {"product": polo.code, "quantity": "500"},
                ],
            },
        )
        (waiting,) = inquiries_waiting(user=sales)
        assert waiting == inquiry and waiting.waiting_hours >= 24
        quotation = quotation_create(
            actor=sales,
            data={
                "customer": customer.code,
                "inquiry": inquiry.pk,
                "quote_date": ORDER_DATE.isoformat(),
                "valid_until": "2026-12-27",
                "overhead_percent": "10",
                "margin_percent": "20",
                "lines": [
                    {
                        "product": shirt.code,
                        "quantity": "1000",
                        "processing_cost": "4.50",
                        "outsourcing_cost": "1.20",
                        "materials": [
                            {
                                "name": "32支精梳棉布",
                                "unit": "kg",
                                "usage": "0.18",
                                "loss_percent": "5",
                                "unit_price": "52",
                            },
                            {"name": "罗纹", "unit": "kg", "usage": "0.02", "unit_price": "40"},
                        ],
                    },
                    {
                        "product": polo.code,
                        "quantity": "500",
                        "processing_cost": "6",
                        "materials": [{"name": "珠地布", "unit": "kg", "usage": "0.25", "unit_price": "60"}],
                    },
                ],
            },
        )
        # shirt: materials 0.18×1.05×52 = 9.828 + 0.8 = 10.628; direct 16.328; +10 % = 17.9608; +20 % = 21.55296
        shirt_line, polo_line = quotation.lines.order_by("line_no")
        assert (shirt_line.material_cost, shirt_line.unit_cost, shirt_line.unit_price) == (
            Decimal("10.6280"),
            Decimal("17.9608"),
            Decimal("21.5530"),
        )
        # polo: 15 + 6 = 21; +10 % = 23.1; +20 % = 27.72
        assert polo_line.unit_price == Decimal("27.7200")
        assert quotation.total_amount == Decimal("21553.00") + Decimal("13860.00")
        quotation_send(quotation=quotation, actor=sales)
        order = quotation_accept(
            quotation=quotation,
            actor=sales,
            data={
                "customer_po": "CUST-PO-88",
                "requested_date": "2027-01-20",
                "order_date": ORDER_DATE.isoformat(),
            },
        )
    quotation.refresh_from_db()
    inquiry.refresh_from_db()
    assert quotation.status == QuotationStatus.ACCEPTED and quotation.order == order
    assert inquiry.status == InquiryStatus.WON and inquiry.replied_at is not None
    assert order.merchandiser == m1 and order.salesperson == sales
    assert [(line.product, line.quantity, line.unit_price) for line in order.lines.order_by("line_no")] == [
        (shirt, Decimal("1000"), Decimal("21.5530")),
        (polo, Decimal("500"), Decimal("27.7200")),
    ]
    assert order.events.filter(type=OrderEvent.Type.FROM_QUOTATION).exists()

    # 2. review, release, production
    with today(ORDER_DATE):
        order = to_production(order, people)
    assert order.status == OrderStatus.IN_PRODUCTION

    # 3. two partial shipments: both ledger entries shipped, not received
    day1, day2 = dt.date(2026, 12, 10), dt.date(2026, 12, 15)
    with today(day1):
        first = shipment_create(
            order=order, actor=m1, data=shipment_payload(order, {1: "600"}, ship_date=day1)
        )
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTIALLY_SHIPPED
    assert_ledger_equals_shipments(m1)
    with today(day2):
        second = shipment_create(
            order=order, actor=m1, data=shipment_payload(order, {1: "400", 2: "500"}, ship_date=day2)
        )
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    views = ledger_views(user=m1)
    assert len(views) == 3 and {v.state for v in views} == {LedgerState.SHIPPED_NOT_RECEIVED}
    assert {v.entry.shipment for v in views} == {first, second}
    assert_ledger_equals_shipments(m1)

    # 4. the customer signs for both: delivered, a return visit falls due
    with today(dt.date(2026, 12, 20)):
        shipment_receive(shipment=first, actor=m1, received_on="2026-12-13", received_by="仓库 李")
        shipment_receive(shipment=second, actor=m1, received_on="2026-12-18", received_by="仓库 李")
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED
    assert ReturnVisit.objects.get(order=order).due_on == dt.date(2026, 12, 25)
    assert {v.state for v in ledger_views(user=m1)} == {LedgerState.RECEIVED_NOT_INVOICED}
    assert_ledger_equals_shipments(m1)

    # 5. one invoice for both shipments (月结30天: due 2027-01-30)
    with today(dt.date(2026, 12, 31)):
        invoice = invoice_create(
            actor=finance, data={"invoice_date": "2026-12-31", "shipments": [first.pk, second.pk]}
        )
    total = first.total_amount + second.total_amount
    assert invoice.total_amount == total == Decimal("35413.00")
    assert invoice.due_date == dt.date(2027, 1, 30)
    assert {v.state for v in ledger_views(user=m1)} == {LedgerState.INVOICED_NOT_PAID}
    assert_ledger_equals_shipments(m1)

    # 6. a partial payment; on a frozen date the rest sits in the right ageing bucket
    with today(dt.date(2027, 1, 25)):
        payment_record(
            actor=finance,
            data={
                "received_on": "2027-01-25",
                "allocations": [{"invoice": invoice.pk, "amount": "20000.00"}],
            },
        )
    views = ledger_views(user=m1)
    assert LedgerState.PARTLY_PAID in {v.state for v in views}
    assert sum((v.paid_amount for v in views), Decimal("0")) == Decimal("20000.00")
    ageing = receivables_ageing(user=m1, as_of=dt.date(2027, 2, 15))  # 46 days after the invoice date
    assert ageing["totals"]["31-60"] == Decimal("15413.00") and ageing["total"] == Decimal("15413.00")
    assert (
        receivables_ageing(user=m1, as_of=dt.date(2027, 1, 20))["totals"]["0-30"] == total
    )  # before the payment
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED
    assert_ledger_equals_shipments(m1)

    # 7. the final payment: every entry paid, the order closed (已结清)
    with today(dt.date(2027, 2, 20)):
        payment_record(
            actor=finance,
            data={
                "received_on": "2027-02-20",
                "allocations": [{"invoice": invoice.pk, "amount": "15413.00"}],
            },
        )
    assert {v.state for v in ledger_views(user=m1)} == {LedgerState.PAID}
    order.refresh_from_db()
    assert order.status == OrderStatus.CLOSED
    assert (
        order.events.filter(type=OrderEvent.Type.TRANSITION, to_status=OrderStatus.CLOSED).get().actor
        == finance
    )
    assert receivables_ageing(user=m1, as_of=dt.date(2027, 2, 20))["total"] == 0
    assert_ledger_equals_shipments(m1)
